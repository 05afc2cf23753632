using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Training.EndToEnd;
using Lah.Training.Features;
using Lah.Training.Optimization;
using Xunit;

namespace Lah.Hashing.Tests.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>The feature-mode trainer's options: optimizer kinds, schedules, per-epoch callback, pluggable losses, divergence.</summary>
public class FeatureTrainerContractTests
{
    private const int R = 6, D = 32, K = 12;

    private static FeatureSet Data(int count, int seed) =>
        SyntheticFeatures.Make(SyntheticFeatures.Prototypes(R, D, 42), R, D, count, noise: 0.3, seed);

    private static LahModel Lah(int seed, int jointDim = 20, int stride = 10)
    {
        Torch.ManualSeed(seed);
        var rng = new Random(seed);
        var config = new LahConfig
        {
            LabelCount = R, HashBits = K, ImageDim = D, WordDim = 10, GcnHidden = 16, ClassifierDim = 24,
            JointDim = jointDim, PoolingStride = stride, Dropout = 0,
        };
        var words = Enumerable.Range(0, R * 10).Select(_ => (float)rng.NextDouble()).ToArray();
        return LahModel.FromCooccurrence(config, words, [10, 8, 6, 9, 7, 5], new double[R * R]);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void Every_optimizer_kind_lowers_the_loss(OptimizerKind kind)
    {
        using var model = Lah(1);
        using var trainer = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()), new FeatureTrainingOptions
        {
            Epochs = 6, BatchSize = 16, Optimizer = kind, LearningRate = kind == OptimizerKind.Sgd ? 0.01 : 1e-3, Seed = 2,
        });
        var h = trainer.Train(Data(160, 1));
        Assert.True(h.EpochLosses[^1] < h.EpochLosses[0], $"{kind}: {string.Join(", ", h.EpochLosses)}");
        Assert.Equal(kind switch { OptimizerKind.Sgd => "SGD", OptimizerKind.Adam => "Adam", _ => "AdamW" }, trainer.Optimizer.GetType().Name);
    }

    [Fact]
    public void Schedules_set_each_epochs_rate_and_keep_group_ratios()
    {
        double[] Rates(ScheduleKind s) => new FeatureTrainer(Lah(2), new CauchyHashLoss(new HashLossConfig()), new FeatureTrainingOptions
        {
            Epochs = 4, BatchSize = 16, LearningRate = 0.01, Schedule = s, StepSize = 2, Milestones = [1, 3], LrGamma = 0.5,
            GroupLearningRates = new Dictionary<string, double> { ["gcn"] = 0.02 },
        }).Train(Data(32, 3)).EpochLearningRates.ToArray();
        Assert.Equal([0.02, 0.02, 0.02, 0.02], Rates(ScheduleKind.None));
        Assert.Equal([0.02, 0.02, 0.01, 0.01], Rates(ScheduleKind.Step));
        Assert.Equal([0.02, 0.01, 0.01, 0.005], Rates(ScheduleKind.MultiStep));
        var cos = Rates(ScheduleKind.Cosine);
        Assert.Equal(0.02, cos[0], 12);
        Assert.Equal(0.01 * (1 + Math.Cos(Math.PI * 2 / 4)), cos[2], 12);
    }

    [Fact]
    public void The_callback_sees_every_epoch_and_the_best_epoch_can_be_restored()
    {
        using var model = Lah(3);
        var seen = new List<FeatureEpoch>();
        var snapshots = new List<float[]>();
        double[] scores = [0.2, 0.9, 0.4];
        var h = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()), new FeatureTrainingOptions
        {
            Epochs = 3, BatchSize = 16, LearningRate = 0.01,
            OnEpoch = e =>
            {
                seen.Add(e);
                snapshots.Add(model.HashLayer.Weight.ToFloatArray());
                return scores[e.Epoch];
            },
            RestoreBestEpoch = true,
        }).Train(Data(64, 4));
        Assert.Equal([0, 1, 2], seen.Select(e => e.Epoch));
        Assert.Equal([4, 8, 12], seen.Select(e => e.TotalSteps));
        Assert.Same(model, seen[0].Head);
        Assert.Equal(scores.Select(s => (double?)s), h.EpochMetrics);
        Assert.Equal(1, h.SelectedEpoch);
        Assert.Equal(snapshots[1], model.HashLayer.Weight.ToFloatArray());
        Assert.NotEqual(snapshots[2], snapshots[1]);
    }

    [Fact]
    public void Restoring_the_best_epoch_needs_a_callback()
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureTrainingOptions { RestoreBestEpoch = true }.Validate());
        Assert.Contains("OnEpoch", e.Message);
    }

    [Fact]
    public void A_classification_loss_plugs_in_on_the_fusion_output()
    {
        using var model = Lah(4, jointDim: 10, stride: 10); // one fused value per label: ML-GCN's classifier scores
        var h = new FeatureTrainer(model, new ClassificationHeadLoss(), new FeatureTrainingOptions
        {
            Epochs = 5, BatchSize = 16, Optimizer = OptimizerKind.Adam, LearningRate = 1e-2,
        }).Train(Data(96, 5));
        Assert.True(h.EpochLosses[^1] < h.EpochLosses[0], string.Join(", ", h.EpochLosses));

        using var wrong = Lah(4); // two values per label
        var e = Assert.Throws<ArgumentException>(() => new FeatureTrainer(wrong, new ClassificationHeadLoss(),
            new FeatureTrainingOptions { Epochs = 1, BatchSize = 16 }).Train(Data(32, 5)));
        Assert.Contains("one fused value per label", e.Message);
    }

    [Fact]
    public void A_delegate_loss_is_what_is_minimised()
    {
        using var model = Lah(5);
        double last = double.NaN;
        var loss = new DelegateHeadLoss("mean-code", (o, _) => o.Codes.Mean());
        var h = new FeatureTrainer(model, loss, new FeatureTrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 0.05, WeightDecay = 0 })
            .Train(Data(64, 6));
        last = h.EpochLosses[^1];
        Assert.True(last < h.EpochLosses[0]);
    }

    [Fact]
    public void Divergence_throws_the_end_to_end_exception_type()
    {
        using var model = Lah(6);
        using var trainer = new FeatureTrainer(model, new DelegateHeadLoss("nan", (o, _) => o.Codes.Mean() * double.NaN), new FeatureTrainingOptions());
        using var scope = Torch.NewScope();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Step(Torch.Rand([4, D]), Torch.Ones([4, R])));
        Assert.Contains("nan", e.Message);
        Assert.True(double.IsNaN(e.Value));
        Assert.Equal(1, e.Step);
    }
}
