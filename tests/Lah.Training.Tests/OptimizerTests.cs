using Lah.Tests;
using Lah.Torch.Optim;
using Lah.Training.Batches;
using Xunit;
using static Lah.Training.Tests.SmallHead;

namespace Lah.Training.Tests;

/// <summary>
/// Row "optimizer": the loop steps any Lah.Torch optimizer over the model's groups (SGD, Adam, AdamW lower the loss in
/// both modes), and sets the schedule's closed form at every epoch start, so each epoch's rate is the formula's, also
/// in an epoch resumed in the middle.
/// </summary>
public sealed class OptimizerTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 40, train: 200);

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void Every_optimizer_lowers_the_loss_in_feature_mode(OptimizerKind kind)
    {
        using var head = Build(1);
        var result = Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(160, 1), 16, seed: 2),
            new TrainerSettings { Epochs = 6, ClipNorm = 10, Seed = 2 }, kind, kind == OptimizerKind.Sgd ? 0.01 : 1e-3, weightDecay: 1e-4);
        var losses = result.Epochs.Select(e => e.MeanLoss).ToList();
        Assert.True(losses[^1] < losses[0], $"{kind}: {string.Join(", ", losses)}");
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void Every_optimizer_lowers_the_loss_end_to_end(OptimizerKind kind)
    {
        using var network = Mosaic.Network(seed: 3, bits: 16);
        var result = Kit.Fit(network, MosaicSetup.Loss(), Mosaic.Batches(16, workers: 1), new TrainerSettings { Epochs = 3, MaxStepsPerEpoch = 5, ClipNorm = 10, Seed = 2 },
            kind, kind == OptimizerKind.Sgd ? 0.05 : 1e-3, weightDecay: 1e-4);
        var losses = result.Epochs.Select(e => e.MeanLoss).ToList();
        Assert.True(losses[^1] < losses[0], $"{kind}: {string.Join(", ", losses)}");
    }

    /// <summary>The schedules of a record, as the engine builds them, with each one's closed form of (base rate, epoch).</summary>
    public static (Func<Optimizer, LRScheduler?> Build, Func<double, int, double> Rate) Schedule(string name, int epochs) => name switch
    {
        "constant" => (_ => null, (lr, _) => lr),
        "step" => (o => new StepLR(o, 2, 0.5), (lr, e) => lr * Math.Pow(0.5, e / 2)),
        "multi-step" => (o => new MultiStepLR(o, [1, 3], 0.5), (lr, e) => lr * Math.Pow(0.5, (e >= 1 ? 1 : 0) + (e >= 3 ? 1 : 0))),
        "cosine" => (o => new CosineAnnealingLR(o, epochs), (lr, e) => lr * (1 + Math.Cos(Math.PI * e / epochs)) / 2),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// Every group follows the formula from its own base rate (the GCN's 0.02, the others' 0.01), so the ratios stay;
    /// the record's rate is the last group's (the hash layer's: never the backbone's multiplied one).
    /// </summary>
    [Theory]
    [InlineData("constant")]
    [InlineData("step")]
    [InlineData("multi-step")]
    [InlineData("cosine")]
    public void Schedules_give_each_epoch_the_closed_form_rate_and_keep_group_ratios(string schedule)
    {
        const int epochs = 4;
        var (build, rate) = Schedule(schedule, epochs);
        using var head = Build(2);
        var model = new HeadModel(head);
        using var optimizer = Kit.Optimizer(model, OptimizerKind.Sgd, 0.01, rateOf: g => g == "gcn" ? 0.02 : 0.01);
        Assert.Equal(["gcn", "fusion", "hash"], optimizer.ParamGroups.Select(g => g.Name));
        var seen = new List<double[]>();
        var scorer = new DelegateScorer(_ =>
        {
            seen.Add(optimizer.ParamGroups.Select(g => g.Lr).ToArray());
            return EpochScore.None;
        });
        var result = Kit.Fit(model, MosaicSetup.Loss(), new FeatureBatches(Features(32, 3), 16, seed: 1), optimizer,
            new TrainerSettings { Epochs = epochs, ClipNorm = 10 }, build(optimizer), scorer);
        for (int e = 0; e < epochs; e++)
        {
            Assert.Equal(rate(0.01, e), result.Epochs[e].LearningRate, 15);
            Assert.Equal([rate(0.02, e), rate(0.01, e), rate(0.01, e)], seen[e], (a, b) => Math.Abs(a - b) <= 1e-15);
        }
        if (schedule != "constant") Assert.NotEqual(result.Epochs[0].LearningRate, result.Epochs[^1].LearningRate);
    }

    /// <summary>
    /// A run killed in the middle of an epoch and resumed with a fresh optimizer and schedule: every step of the
    /// resumed epoch runs at that epoch's rate (not the schedule's first epoch), and the records are the formula's.
    /// </summary>
    [Theory]
    [InlineData("cosine")]
    [InlineData("multi-step")]
    public void The_closed_form_rate_holds_after_a_resume_in_the_middle_of_an_epoch(string schedule)
    {
        const int epochs = 4;
        var (build, rate) = Schedule(schedule, epochs);
        using var dir = TestPaths.NewTempDir();
        var data = Features(64, 4);
        var settings = new TrainerSettings { Epochs = epochs, ClipNorm = 10, Seed = 1, CheckpointDir = dir.Path, CheckpointEverySteps = 1 };
        // 4 batches an epoch: step 7 is epoch 1's third batch.
        using (var head = Build(5))
            Assert.Throws<TrainingStopped>(() => Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(data, 16, seed: 1), settings,
                OptimizerKind.Adam, 1e-3, schedule: build, hooks: new TrainingHooks { StopAfterStep = 7 }));

        using var resumed = Build(6);
        using var optimizer = Kit.Optimizer(new HeadModel(resumed), OptimizerKind.Adam, 1e-3);
        var stepRates = new List<double>();
        var hooks = new TrainingHooks { TransformBatch = b => { stepRates.Add(optimizer.ParamGroups[0].Lr); return b; } };
        var result = Kit.Fit(new HeadModel(resumed), MosaicSetup.Loss(), new FeatureBatches(data, 16, seed: 1), optimizer, settings,
            build(optimizer), hooks: hooks);
        Assert.Equal(16, result.Steps);
        // The last batch of epoch 1, then three whole epochs.
        double[] expected = [rate(1e-3, 1), .. Enumerable.Range(2, 2).SelectMany(e => Enumerable.Repeat(rate(1e-3, e), 4))];
        Assert.Equal(expected, stepRates, (a, b) => Math.Abs(a - b) <= 1e-18);
        Assert.Equal(Enumerable.Range(0, epochs).Select(e => rate(1e-3, e)), result.Epochs.Select(e => e.LearningRate), (a, b) => Math.Abs(a - b) <= 1e-18);
    }
}
