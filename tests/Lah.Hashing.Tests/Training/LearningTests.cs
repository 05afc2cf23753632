using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Retrieval;
using Lah.Retrieval.Metrics;
using Lah.Training.Features;
using Xunit;

namespace Lah.Hashing.Tests.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Training on features that carry label information must give codes that retrieve far better than random ones.</summary>
public class LearningTests
{
    private const int R = 12, D = 32, K = 16;

    private static (FeatureSet Train, FeatureSet Query, FeatureSet Db) Splits()
    {
        var prototypes = SyntheticFeatures.Prototypes(R, D, 42);
        return (SyntheticFeatures.Make(prototypes, R, D, 640, 0.5, 1),
            SyntheticFeatures.Make(prototypes, R, D, 100, 0.5, 2),
            SyntheticFeatures.Make(prototypes, R, D, 400, 0.5, 3));
    }

    private static double TrainAndEvaluate(IHashHead head, HashLossConfig loss, double learningRate, FeatureSet train, FeatureSet query, FeatureSet db)
    {
        // 6 epochs of 20 batches: a bounded, seeded run.
        var history = new FeatureTrainer(head, new CauchyHashLoss(loss),
            new FeatureTrainingOptions { Epochs = 6, BatchSize = 32, LearningRate = learningRate, Seed = 1 }).Train(train);
        Assert.Equal(6 * 20, history.Steps);

        Assert.True(history.EpochLosses[^1] < history.EpochLosses[0],
            $"loss did not fall: {string.Join(", ", history.EpochLosses)}");
        var encoded = FeatureEncoder.Encode(head, query);
        Assert.Equal(encoded.Codes.ToSigns(), head.Encode(Torch.FromArray(query.Features, query.Count, D)).ToFloatArray());
        return FeatureEncoder.EvaluateDch(head, query, db).Map;
    }

    private static double RandomCodesMap(FeatureSet query, FeatureSet db)
    {
        var rng = new Random(9);
        PackedCodes Random(int n) => PackedCodes.FromSigns(Enumerable.Range(0, n * K).Select(_ => rng.Next(2) == 0 ? -1f : 1f).ToArray(), n, K);
        return RetrievalMetrics.Dch(Random(query.Count), null, query.Labels, Random(db.Count), null, db.Labels).Map;
    }

    [Fact]
    public void LahHeadLearnsCodesFarAboveRandom()
    {
        var (train, query, db) = Splits();
        var config = new LahConfig
        {
            LabelCount = R,
            HashBits = K,
            ImageDim = D,
            WordEmbedding = WordEmbedding.OneHot,
            GcnHidden = 32,
            ClassifierDim = 32,
            JointDim = 24,
            PoolingStride = 8,
            Dropout = 0.1,
            P = 0.15,
            Tau = 0.4,
        };
        // Own generators for the weights (here) and dropout (the trainer's): parallel tests cannot change the run.
        using var gen = new Lah.Torch.Generator(3);
        var nums = Enumerable.Repeat(100.0, R).ToArray();
        using var head = LahModel.FromCooccurrence(config, null, nums, new double[R * R], gen);
        // lr 0.05 (with momentum 0.9) diverged for 5 of 6 (init, trainer) seed pairs once the streams were fixed;
        // 0.02 learned for all 6: the old race only decided which random stream hit the unstable rate.
        double map = TrainAndEvaluate(head, config.Loss, 0.02, train, query, db);
        double random = RandomCodesMap(query, db);
        Assert.True(map > 0.55 && map > random + 0.3, $"MAP@H≤2 {map:F3}, random codes {random:F3}");
    }

    [Fact]
    public void DchBaselineLearnsCodesFarAboveRandom()
    {
        var (train, query, db) = Splits();
        using var gen = new Lah.Torch.Generator(4);
        using var head = new DchModel(D, R, K, generator: gen);
        double map = TrainAndEvaluate(head, new HashLossConfig(), 0.01, train, query, db);
        double random = RandomCodesMap(query, db);
        Assert.True(map > 0.55 && map > random + 0.3, $"MAP@H≤2 {map:F3}, random codes {random:F3}");
    }
}
