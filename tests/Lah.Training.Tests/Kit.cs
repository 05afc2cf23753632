using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Retrieval.Metrics;
using Lah.Torch;
using Lah.Torch.NN;
using Lah.Torch.Optim;
using Lah.Training.Baselines;
using Lah.Training.Batches;
using Lah.Training.Inference;
using Xunit;

namespace Lah.Training.Tests;

public enum OptimizerKind
{
    Sgd,
    Adam,
    AdamW,
}

/// <summary>
/// What the tests need around the loop: the optimizer over a model's groups as the engine builds it
/// (src/Lah.Experiments/Components.fs `optimizer`), a one-call fit, exact comparisons of weights and histories, and DCH
/// retrieval of a head's codes against LSH and collapsed codes on the same features.
/// </summary>
public static class Kit
{
    /// <summary>One parameter group per <see cref="ITrainable.OptimizedGroups"/> group, at <paramref name="rateOf"/>(name) or lr.</summary>
    public static Optimizer Optimizer(ITrainable model, OptimizerKind kind, double lr, double weightDecay = 0, double momentum = 0.9,
        Func<string, double>? rateOf = null)
    {
        var groups = model.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, rateOf?.Invoke(g.Name) ?? lr, name: g.Name)).ToList();
        return kind switch
        {
            OptimizerKind.Sgd => new SGD(groups, lr, momentum: momentum, weightDecay: weightDecay),
            OptimizerKind.Adam => new Adam(groups, lr, weightDecay: weightDecay),
            OptimizerKind.AdamW => new AdamW(groups, lr, weightDecay: weightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>One run of the loop with the optimizer (and schedule) given.</summary>
    public static TrainingResult Fit(ITrainable model, IHashLoss loss, IBatchSource source, Optimizer optimizer, TrainerSettings settings,
        LRScheduler? schedule = null, IEpochScorer? scorer = null, ITrainingEvents? events = null, TrainingHooks? hooks = null)
    {
        using var trainer = new Trainer(model, loss, source, optimizer, schedule, settings, scorer, events, hooks);
        return trainer.Fit();
    }

    /// <summary>One run with a fresh optimizer (and the schedule <paramref name="schedule"/> builds over it), disposed after.</summary>
    public static TrainingResult Fit(ITrainable model, IHashLoss loss, IBatchSource source, TrainerSettings settings, OptimizerKind kind,
        double lr, double weightDecay = 0, Func<Optimizer, LRScheduler?>? schedule = null, IEpochScorer? scorer = null,
        ITrainingEvents? events = null, TrainingHooks? hooks = null, Func<string, double>? rateOf = null)
    {
        using var optimizer = Optimizer(model, kind, lr, weightDecay, rateOf: rateOf);
        return Fit(model, loss, source, optimizer, settings, schedule?.Invoke(optimizer), scorer, events, hooks);
    }

    /// <summary>Every float state tensor (parameters and running statistics) by name, copied out.</summary>
    public static Dictionary<string, float[]> Weights(Module module) =>
        module.StateDict().Where(kv => kv.Value.DType == DType.Float32).ToDictionary(kv => kv.Key, kv => kv.Value.ToFloatArray());

    public static void AssertSameWeights(Dictionary<string, float[]> expected, Module actual)
    {
        var got = Weights(actual);
        Assert.Equal(expected.Keys.Order(), got.Keys.Order());
        foreach (var (name, values) in expected)
            Assert.True(values.AsSpan().SequenceEqual(got[name]), $"{name} differs (first at {FirstDifference(values, got[name])})");
    }

    public static bool SameWeights(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && kv.Value.AsSpan().SequenceEqual(v));

    private static int FirstDifference(float[] a, float[] b)
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i])) return i;
        return Math.Min(a.Length, b.Length);
    }

    /// <summary>
    /// Histories equal value for value (bit for bit on doubles, NaN equal to NaN; the metric maps by content: records
    /// compare dictionaries by reference, and a resumed run reads its earlier epochs back from history JSON).
    /// </summary>
    public static void AssertSameHistory(IReadOnlyList<EpochRecord> expected, IReadOnlyList<EpochRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (a, b) = (expected[i], actual[i]);
            Assert.True(a with { Metrics = b.Metrics } == b, $"epoch {i}: expected {a}, got {b}");
            Assert.Equal(a.Metrics.OrderBy(kv => kv.Key), b.Metrics.OrderBy(kv => kv.Key));
        }
    }

    /// <summary>DCH's protocol (MAP within Hamming radius 2, balls ranked by the continuous outputs) on a head's codes.</summary>
    public static DchResult Dch(IHashHead head, FeatureSet query, FeatureSet db)
    {
        var (q, d) = (FeatureEncoder.Encode(head, query), FeatureEncoder.Encode(head, db));
        return RetrievalMetrics.Dch(q.Codes, q.Outputs, query.Labels, d.Codes, d.Outputs, db.Labels);
    }

    /// <summary>LSH of the same features, centred on the database mean.</summary>
    public static DchResult Lsh(FeatureSet query, FeatureSet db, int bits, ulong seed)
    {
        var centre = HashBaselines.Mean(db);
        var (q, d) = (HashBaselines.Lsh(query, bits, seed, centre), HashBaselines.Lsh(db, bits, seed, centre));
        return RetrievalMetrics.Dch(q.Codes, q.Outputs, query.Labels, d.Codes, d.Outputs, db.Labels);
    }

    /// <summary>Every item the same code: each ball holds the whole database.</summary>
    public static DchResult Collapsed(FeatureSet query, FeatureSet db, int bits)
    {
        var (q, d) = (HashBaselines.Collapsed(query.Count, bits), HashBaselines.Collapsed(db.Count, bits));
        return RetrievalMetrics.Dch(q.Codes, q.Outputs, query.Labels, d.Codes, d.Outputs, db.Labels);
    }
}

/// <summary>A scorer from a function of the epoch (the model is in evaluation mode while it runs).</summary>
public sealed class DelegateScorer(Func<int, EpochScore> score) : IEpochScorer
{
    public List<int> Calls { get; } = [];

    public EpochScore Score(int epoch)
    {
        Calls.Add(epoch);
        return score(epoch);
    }

    public static DelegateScorer Selecting(Func<int, double> selection) =>
        new(e => new EpochScore(new Dictionary<string, double> { ["validation"] = selection(e) }, selection(e)));
}

/// <summary>Records every event the loop reports.</summary>
public sealed class RecordingEvents : ITrainingEvents
{
    public List<StepEvent> Steps { get; } = [];
    public List<EpochRecord> Epochs { get; } = [];
    public List<string> Messages { get; } = [];

    public void Step(StepEvent step) => Steps.Add(step);

    public void Epoch(EpochRecord record) => Epochs.Add(record);

    public void Message(string text) => Messages.Add(text);
}

/// <summary>A loss that records the loop's per-epoch calls and otherwise is <paramref name="inner"/>.</summary>
public sealed class RecordingLoss(IHashLoss inner) : IHashLoss
{
    public List<int> BeganEpochs { get; } = [];
    public int Computed { get; private set; }

    public string Name => inner.Name;

    public int MinBatch => inner.MinBatch;

    public void BeginEpoch(int epoch)
    {
        BeganEpochs.Add(epoch);
        inner.BeginEpoch(epoch);
    }

    public Tensor? Centers => inner.Centers;

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        Computed++;
        return inner.Compute(output, labels);
    }
}
