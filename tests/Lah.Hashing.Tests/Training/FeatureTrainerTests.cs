using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Training.Features;
using Xunit;

namespace Lah.Hashing.Tests.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public class FeatureTrainerTests
{
    private const int R = 6, D = 32;

    private static LahConfig SmallConfig(ParameterTraining training = ParameterTraining.Trained, double dropout = 0) => new()
    {
        LabelCount = R,
        HashBits = 12,
        ImageDim = D,
        WordDim = 10,
        GcnHidden = 16,
        ClassifierDim = 24,
        JointDim = 20,
        PoolingStride = 10,
        Dropout = dropout,
        ParameterTraining = training,
    };

    private static LahModel Build(LahConfig c, int seed)
    {
        using var gen = new Lah.Torch.Generator(seed); // initial weights only: the model does not keep it
        var rng = new Random(seed);
        var words = Enumerable.Range(0, R * c.WordDim).Select(_ => (float)rng.NextDouble()).ToArray();
        double[] nums = [10, 8, 6, 9, 7, 5];
        var cooc = new double[R * R];
        cooc[0 * R + 1] = cooc[1 * R + 0] = 5;
        cooc[2 * R + 3] = cooc[3 * R + 2] = 4;
        return LahModel.FromCooccurrence(c, words, nums, cooc, gen);
    }

    private static FeatureSet Data(int count, int seed) =>
        SyntheticFeatures.Make(SyntheticFeatures.Prototypes(R, D, 42), R, D, count, noise: 0.3, seed);

    [Fact]
    public void BatchesAreCreatedOnTheHeadsDevice()
    {
        // On meta the step gets as far as reading the loss (meta has no values): the batch followed the head's device
        // instead of staying on the CPU ("found at least two devices").
        using var model = Build(SmallConfig(), 3);
        model.To(Device.Meta);
        var trainer = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()),
            new FeatureTrainingOptions { Epochs = 1, BatchSize = 8, Seed = 11, MaxSteps = 1 });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Train(Data(16, 1)));
        Assert.Contains("meta device", e.Message);
        Assert.Contains("meta device", Assert.Throws<InvalidOperationException>(() => FeatureEncoder.Encode(model, Data(4, 2))).Message);
    }

    [Fact]
    public void SameSeedGivesTheSameWeights()
    {
        float[] Run()
        {
            using var model = Build(SmallConfig(dropout: 0.1), 3);
            var trainer = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()),
                new FeatureTrainingOptions { Epochs = 1, BatchSize = 8, Seed = 11, MaxSteps = 4 });
            trainer.Train(Data(40, 1));
            return model.Parameters().SelectMany(p => p.ToFloatArray()).ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void OfficialFrozenKeepsProjectionsAndHashLayerAndAccumulatesTheirGradients()
    {
        using var model = Build(SmallConfig(ParameterTraining.OfficialFrozen), 5);
        var frozen = new Lah.Torch.NN.Module[] { model.ImageProjection!, model.LabelProjection!, model.HashLayer }
            .SelectMany(m => m.Parameters()).ToList();
        var before = frozen.Select(p => p.ToFloatArray()).ToList();
        var gcBefore = model.Gc1.Weight.ToFloatArray();
        Assert.Equal(["gcn"], model.OptimizedGroups().Select(g => g.Name));

        // With the GCN's rate at 0 the model never changes, so every step yields the same gradient: after two
        // steps the frozen layers hold exactly twice the first step's gradient (never zeroed), the GCN's once.
        var data = Data(8, 2);
        using var scope = Torch.NewScope();
        var f = Torch.FromArray(data.Features, 8, D);
        var y = Torch.FromArray(data.Labels, 8, R);
        var trainer = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()), new FeatureTrainingOptions
        {
            GroupLearningRates = new Dictionary<string, double> { ["gcn"] = 0 },
            WeightDecay = 0,
            ClipNorm = 0,
        });
        trainer.Step(f, y);
        var g1 = model.HashLayer.Parameters().First().Grad!.ToFloatArray();
        var gc1 = model.Gc1.Weight.Grad!.ToFloatArray();
        trainer.Step(f, y);
        var g2 = model.HashLayer.Parameters().First().Grad!.ToFloatArray();
        Assert.Equal(g1.Select(v => 2 * v), g2, (a, b) => Math.Abs(a - b) <= 1e-6 + 1e-5 * Math.Abs(a));
        Assert.Equal(gc1, model.Gc1.Weight.Grad!.ToFloatArray(), (a, b) => Math.Abs(a - b) <= 1e-6 + 1e-5 * Math.Abs(a));
        for (int i = 0; i < frozen.Count; i++) Assert.Equal(before[i], frozen[i].ToFloatArray());
        Assert.Equal(gcBefore, model.Gc1.Weight.ToFloatArray());
    }

    [Fact]
    public void TrainedModeMovesEveryGroup()
    {
        using var model = Build(SmallConfig(), 6);
        Assert.Equal(["gcn", "fusion", "hash"], model.OptimizedGroups().Select(g => g.Name));
        var before = model.Parameters().Select(p => p.ToFloatArray()).ToList();
        new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()),
            new FeatureTrainingOptions { Epochs = 1, BatchSize = 8, MaxSteps = 2 }).Train(Data(16, 3));
        var after = model.Parameters().Select(p => p.ToFloatArray()).ToList();
        for (int i = 0; i < before.Count; i++) Assert.NotEqual(before[i], after[i]);
    }

    [Fact]
    public void LabelCountMismatchNamesTheField()
    {
        using var model = Build(SmallConfig(), 7);
        var trainer = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()), new FeatureTrainingOptions());
        var data = new FeatureSet(new float[4 * D], new float[4 * (R + 1)], 4, D, R + 1);
        var e = Assert.Throws<ArgumentException>(() => trainer.Train(data));
        Assert.Contains("LabelCount", e.Message);
        Assert.Contains($"{R}", e.Message);
    }

    [Fact]
    public void NonFiniteLossIsReported()
    {
        using var model = Build(SmallConfig(), 8);
        var trainer = new FeatureTrainer(model, new CauchyHashLoss(new HashLossConfig()), new FeatureTrainingOptions());
        using var scope = Torch.NewScope();
        var f = Torch.Full([4, D], double.NaN);
        var e = Assert.Throws<Lah.Training.EndToEnd.TrainingDivergedException>(() => trainer.Step(f, Torch.Ones([4, R])));
        Assert.Contains("loss", e.Message);
        Assert.Contains("finite", e.Message);
    }
}
