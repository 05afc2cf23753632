using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Retrieval.Metrics;
using Lah.Training.Features;
using Lah.Training.Optimization;
using Xunit;
using Xunit.Abstractions;

namespace Lah.Hashing.Tests.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Each center / pairwise method trained in feature mode on class-structured features must beat, under DCH's protocol
/// (MAP within Hamming radius 2), LSH on the same features and collapsed codes by a clear margin.
/// </summary>
public class CenterLearningTests(ITestOutputHelper output)
{
    private const int R = 12, D = 32, K = 24; // 24 bits: not a power of two, so the seeded random centers train

    private static readonly Lazy<(FeatureSet Train, FeatureSet Query, FeatureSet Db, double Lsh, double Collapsed)> Data = new(() =>
    {
        var prototypes = SyntheticFeatures.Prototypes(R, D, 42);
        var (train, query, db) = (SyntheticFeatures.Make(prototypes, R, D, 640, 0.5, 1),
            SyntheticFeatures.Make(prototypes, R, D, 100, 0.5, 2),
            SyntheticFeatures.Make(prototypes, R, D, 400, 0.5, 3));
        return (train, query, db, HashBaselines.EvaluateLsh(query, db, K, 11).Map, HashBaselines.EvaluateCollapsed(query, db, K).Map);
    });

    /// <summary>LearningTests' small LAH head: the hybrid loss on LAH's fused features (neither paper tried it).</summary>
    private static LahModel LahHead()
    {
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
        return LahModel.FromCooccurrence(config, null, Enumerable.Repeat(100.0, R).ToArray(), new double[R * R]);
    }

    public static IEnumerable<object[]> Methods() => [["hybrid"], ["hybrid-on-lah"], ["csq"], ["hashnet"], ["dpsh"]];

    [Theory]
    [MemberData(nameof(Methods))]
    public void MethodLearnsCodesClearlyAboveLshAndCollapsed(string method)
    {
        var (train, query, db, lsh, collapsed) = Data.Value;
        var centers = HashCenters.Generate(R, K, 1);
        Torch.ManualSeed(4);
        IHashHead inner = method == "hybrid-on-lah" ? LahHead() : new DchModel(D, R, K);
        IHeadLoss loss = method switch
        {
            "hybrid" or "hybrid-on-lah" => new HybridHeadLoss(new HybridHashLoss(centers)),
            "csq" => new CsqHeadLoss(new CsqLoss(centers)),
            "hashnet" => new HashNetHeadLoss(new HashNetLoss()),
            "dpsh" => new DpshHeadLoss(new DpshLoss()),
            _ => throw new ArgumentException(method),
        };
        using IHashHead head = method.StartsWith("hybrid") || method == "csq" ? new CenterHashHead(inner, centers.ToTensor()) : inner;
        var history = new FeatureTrainer(head, loss, new FeatureTrainingOptions
        {
            Epochs = 6,
            BatchSize = 32,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 1e-2,
            Seed = 1,
            OnEpoch = e => { (loss as HashNetHeadLoss)?.SetEpoch(e.Epoch + 1); return null; },
        }).Train(train);
        Assert.True(history.EpochLosses[^1] < history.EpochLosses[0], $"loss did not fall: {string.Join(", ", history.EpochLosses)}");
        double map = FeatureEncoder.EvaluateDch(head, query, db).Map;
        output.WriteLine($"{method}: MAP@H≤2 {map:F3}, LSH {lsh:F3}, collapsed {collapsed:F3} ({centers})");
        Assert.True(map > lsh + 0.1 && map > collapsed + 0.2, $"{method}: MAP@H≤2 {map:F3}, LSH {lsh:F3}, collapsed {collapsed:F3}");
    }
}
