using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Optim;

namespace Lah.Training.Features;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Trains a hash head on precomputed pooled features: seeded shuffling and dropout (a generator of the trainer's own,
/// so other code drawing in the process cannot change a run), SGD with one learning rate per
/// parameter group, gradient clipping over every parameter of the head. The optimizer only zeroes the gradients it
/// owns, so under <c>official-frozen</c> the frozen layers' gradients accumulate exactly as in the official code.
/// </summary>
public sealed class FeatureTrainer
{
    private readonly IHashHead _head;
    private readonly CauchyHashLoss _loss;
    private readonly FeatureTrainingOptions _options;
    private readonly SGD _optimizer;

    public FeatureTrainer(IHashHead head, CauchyHashLoss loss, FeatureTrainingOptions options)
    {
        options.Validate();
        (_head, _loss, _options) = (head, loss, options);
        var groups = head.OptimizedGroups()
            .Select(g => new ParamGroup(g.Parameters, options.LearningRateOf(g.Name)))
            .ToList();
        _optimizer = new SGD(groups, options.LearningRate, momentum: options.Momentum, weightDecay: options.WeightDecay);
    }

    /// <summary>One optimizer step on a batch; returns the total loss. Throws when the loss is not finite.</summary>
    public double Step(Tensor features, Tensor labels)
    {
        _head.Train(true);
        _optimizer.ZeroGrad();
        var terms = _loss.Compute(_head.ForwardHead(features).Codes, labels);
        double total = terms.Total.ItemDouble();
        if (!double.IsFinite(total))
            throw new InvalidOperationException(
                $"loss: expected a finite value, got {total} (Cauchy term {terms.Cauchy.ItemDouble()}, quantization term {terms.Quantization.ItemDouble()})");
        terms.Total.Backward();
        if (_options.ClipNorm > 0) ClipGrad.Norm(_head.Parameters(), _options.ClipNorm);
        _optimizer.Step();
        return total;
    }

    /// <summary>Trains for the configured epochs (or <see cref="FeatureTrainingOptions.MaxSteps"/>); the last partial batch is dropped if it has fewer than 2 rows.</summary>
    public TrainingHistory Train(FeatureSet data)
    {
        if (data.FeatureDim != _head.FeatureDim)
            throw new ArgumentException($"data.FeatureDim: expected the head's feature size {_head.FeatureDim}, got {data.FeatureDim}");
        if (data.LabelCount != _head.LabelCount)
            throw new ArgumentException($"data.LabelCount: expected the configuration's label count {_head.LabelCount}, got {data.LabelCount}");
        using var generator = new Generator(_options.Seed);
        var previous = _head.Generator;
        _head.UseGenerator(generator);
        try
        {
            return Epochs(data);
        }
        finally
        {
            _head.UseGenerator(previous);
        }
    }

    private TrainingHistory Epochs(FeatureSet data)
    {
        var rng = new Random(unchecked((int)_options.Seed));
        var order = Enumerable.Range(0, data.Count).ToArray();
        var losses = new List<double>();
        int steps = 0;
        for (int epoch = 0; epoch < _options.Epochs; epoch++)
        {
            rng.Shuffle(order);
            double sum = 0;
            int batches = 0;
            for (int start = 0; start + 2 <= data.Count; start += _options.BatchSize)
            {
                if (_options.MaxSteps is { } max && steps >= max) break;
                var rows = order.AsSpan(start, Math.Min(_options.BatchSize, data.Count - start));
                var (f, l) = data.Gather(rows);
                using var scope = Torch.NewScope();
                sum += Step(Torch.FromArray(f, rows.Length, data.FeatureDim), Torch.FromArray(l, rows.Length, data.LabelCount));
                batches++;
                steps++;
            }
            if (batches > 0) losses.Add(sum / batches);
            if (_options.MaxSteps is { } m && steps >= m) break;
        }
        return new TrainingHistory(losses, steps);
    }
}
