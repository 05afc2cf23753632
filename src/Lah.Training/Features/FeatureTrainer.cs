using Lah.Data;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Distributed;
using Lah.Torch.NN;
using Lah.Torch.Optim;
using Lah.Training.EndToEnd;

namespace Lah.Training.Features;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Trains a hash head on precomputed pooled features: seeded shuffling and dropout (a generator of the trainer's own,
/// so other code drawing in the process cannot change a run), the configured optimizer (SGD, Adam, AdamW) with one
/// learning rate per parameter group and an epoch-wise schedule, gradient clipping over every parameter of the head,
/// any <see cref="IHeadLoss"/>, and a per-epoch callback. The optimizer only zeroes the gradients it owns, so under
/// <c>official-frozen</c> the frozen layers' gradients accumulate exactly as in the official code. A non-finite loss
/// or gradient norm throws <see cref="TrainingDivergedException"/>, as end to end.
/// </summary>
public sealed class FeatureTrainer : IDisposable
{
    private readonly IHashHead _head;
    private readonly IHeadLoss _loss;
    private readonly FeatureTrainingOptions _options;
    private readonly Optimizer _optimizer;
    private readonly LRScheduler? _schedule;
    private int _epoch;
    private long _steps;

    public FeatureTrainer(IHashHead head, IHeadLoss loss, FeatureTrainingOptions options)
    {
        options.Validate();
        (_head, _loss, _options) = (head, loss, options);
        var groups = head.OptimizedGroups()
            .Select(g => new ParamGroup(g.Parameters, options.LearningRateOf(g.Name), name: g.Name))
            .ToList();
        _optimizer = options.Optimization.Build(groups, options.LearningRate);
        _schedule = options.Optimization.BuildSchedule(_optimizer, options.Epochs);
    }

    /// <summary>The Cauchy hashing loss (the official training).</summary>
    public FeatureTrainer(IHashHead head, CauchyHashLoss loss, FeatureTrainingOptions options)
        : this(head, new CauchyHeadLoss(loss), options)
    {
    }

    public Optimizer Optimizer => _optimizer;

    /// <summary>One optimizer step on a batch; returns the total loss. Throws <see cref="TrainingDivergedException"/> when the loss or gradient norm is not finite.</summary>
    public double Step(Tensor features, Tensor labels)
    {
        _head.Train(true);
        _optimizer.ZeroGrad();
        // DDP's broadcast_buffers: a head's batch-norm statistics follow rank 0 (a no-op for heads without buffers).
        if (_options.Parallel is { } parallel && _head is Module module) parallel.BroadcastFrom(module.Buffers());
        var value = _loss.Compute(_head.ForwardHead(features), labels);
        double total = value.Total.ItemDouble();
        if (!double.IsFinite(total))
            throw Diverged($"loss ({_loss.Name}) is {total}" +
                (value.Parts.Count > 0 ? $" ({string.Join(", ", value.Parts.Select(p => $"{p.Name} {p.Value.ItemDouble()}"))})" : ""), total);
        value.Total.Backward();
        // Averaged before clipping, so every rank clips and steps on the same gradients and stays in sync.
        _options.Parallel?.AverageGradients(_head.Parameters());
        if (_options.ClipNorm > 0)
        {
            double norm = ClipGrad.Norm(_head.Parameters(), _options.ClipNorm);
            if (!double.IsFinite(norm)) throw Diverged($"gradient norm is {norm}", norm);
        }
        _optimizer.Step();
        _steps++;
        return total;
    }

    private TrainingDivergedException Diverged(string what, double value) =>
        new($"{what} at step {_steps + 1} (epoch {_epoch + 1}) of feature-mode training (expected a finite value); " +
            "lower the learning rate (the recipe's Adam 1e-3) or check the features for NaN", _epoch, -1, _steps + 1, value);

    /// <summary>
    /// Trains for the configured epochs (or <see cref="FeatureTrainingOptions.MaxSteps"/>); the last partial batch is
    /// dropped if it has fewer than 2 rows. After each epoch: the schedule steps, then <see cref="FeatureTrainingOptions.OnEpoch"/> runs.
    /// </summary>
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
        var device = FeatureEncoder.DeviceOf(_head);
        var parallel = _options.Parallel;
        int rank = parallel?.Group.Rank ?? 0, world = parallel?.Group.WorldSize ?? 1;
        if (parallel is not null) parallel.BroadcastFrom(_head is Module m ? m.Parameters().Concat(m.Buffers()) : _head.Parameters());
        var rng = new Random(unchecked((int)_options.Seed));
        var order = Enumerable.Range(0, data.Count).ToArray();
        var losses = new List<double>();
        var rates = new List<double>();
        var metrics = new List<double?>();
        int steps = 0, bestEpoch = -1;
        double best = double.NaN;
        Dictionary<string, Tensor>? bestState = null;
        try
        {
            for (int epoch = 0; epoch < _options.Epochs; epoch++)
            {
                _epoch = epoch;
                double lr = _optimizer.ParamGroups[0].Lr;
                rng.Shuffle(order);
                double sum = 0;
                int batches = 0;
                int globalBatches = BatchSharding.BatchCount(data.Count, _options.BatchSize, world);
                for (int b = 0; b < globalBatches; b++)
                {
                    if (_options.MaxSteps is { } max && steps >= max) break;
                    var (start, length) = BatchSharding.Slice(data.Count, _options.BatchSize, rank, world, b);
                    if (length < 2) break; // the pairwise loss needs two rows (the same on every rank: slices are equal)
                    var rows = order.AsSpan(start, length);
                    var (f, l) = data.Gather(rows);
                    using var scope = Torch.NewScope();
                    sum += Step(Torch.FromArray(f, rows.Length, data.FeatureDim).To(device), Torch.FromArray(l, rows.Length, data.LabelCount).To(device));
                    batches++;
                    steps++;
                }
                if (batches == 0) break;
                if (parallel is not null) sum = MeanOverRanks(parallel.Group, sum);
                losses.Add(sum / batches);
                rates.Add(lr);
                _schedule?.Step();
                if (_options.OnEpoch is { } callback)
                {
                    double? m = callback(new FeatureEpoch(epoch, sum / batches, steps, lr, _head));
                    _head.Train(true);
                    metrics.Add(m);
                    if (_options.RestoreBestEpoch && m is { } v && !double.IsNaN(v) && (bestEpoch < 0 || double.IsNaN(best) || v > best))
                    {
                        (best, bestEpoch) = (v, epoch);
                        bestState = Snapshot(bestState);
                    }
                }
                if (_options.MaxSteps is { } m2 && steps >= m2) break;
            }
            int selected = losses.Count - 1;
            if (_options.RestoreBestEpoch && bestState is not null && _head is Module module)
            {
                module.LoadStateDict(bestState, strict: true);
                selected = bestEpoch;
            }
            return new TrainingHistory(losses, steps) { EpochLearningRates = rates, EpochMetrics = metrics, SelectedEpoch = selected };
        }
        finally
        {
            if (bestState is not null) foreach (var t in bestState.Values) t.Dispose();
        }
    }

    // Every rank steps the same number of times, so the mean of the ranks' sums is the global batch's mean loss sum.
    private static double MeanOverRanks(ProcessGroup group, double sum)
    {
        using var t = Torch.FromArray(new[] { sum }, 1);
        group.AllReduce(t);
        return t.ToArray<double>()[0] / group.WorldSize;
    }

    private Dictionary<string, Tensor>? Snapshot(Dictionary<string, Tensor>? old)
    {
        if (_head is not Module module)
            throw new InvalidOperationException($"FeatureTrainingOptions.RestoreBestEpoch: {_head.GetType().Name} is not a Module, its weights cannot be kept");
        if (old is not null) foreach (var t in old.Values) t.Dispose();
        using var noGrad = Torch.NoGrad();
        return module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromScopes());
    }

    public void Dispose() => _optimizer.Dispose();
}
