using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Training.Batches;
using Lah.Training.Inference;
using Xunit;
using Xunit.Abstractions;

namespace Lah.Training.Tests;

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
        return (train, query, db, Kit.Lsh(query, db, K, 11).Map, Kit.Collapsed(query, db, K).Map);
    });

    /// <summary>LearningTests' small LAH head: the hybrid loss on LAH's fused features (neither paper tried it).</summary>
    private static LahModel LahHead(Lah.Torch.Generator generator)
    {
        var config = new LahConfig
        {
            LabelCount = R,
            HashBits = K,
            ImageDim = D,
            Head = new LahHeadOptions
            {
                Embedding = WordEmbedding.OneHot,
                GcnHidden = 32,
                ClassifierDim = 32,
                JointDim = 24,
                PoolingStride = 8,
                Dropout = 0.1,
                P = 0.15,
                Tau = 0.4,
            },
        };
        return LahModel.FromCooccurrence(config, null, Enumerable.Repeat(100.0, R).ToArray(), new double[R * R], generator);
    }

    public static IEnumerable<object[]> Methods() => [["hybrid"], ["hybrid-on-lah"], ["csq"], ["hashnet"], ["dpsh"]];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Method_learns_codes_clearly_above_lsh_and_collapsed(string method)
    {
        var (train, query, db, lsh, collapsed) = Data.Value;
        var centers = HashCenters.Generate(R, K, 1);
        using var gen = new Lah.Torch.Generator(4);
        IHashHead inner = method == "hybrid-on-lah" ? LahHead(gen) : new DchModel(D, R, K, generator: gen);
        IHashLoss loss = method switch
        {
            "hybrid" or "hybrid-on-lah" => new HybridHashLoss(centers),
            "csq" => new CsqLoss(centers),
            "hashnet" => new HashNetLoss(),
            "dpsh" => new DpshLoss(),
            _ => throw new ArgumentException(method),
        };
        // The head carries its loss's centers (saved with the model), as the engine builds it.
        using IHashHead head = loss.Centers is { } c ? new CenterHashHead(inner, c) : inner;
        var result = Kit.Fit(new HeadModel(head), loss, new FeatureBatches(train, 32, seed: 1), new TrainerSettings { Epochs = 6, ClipNorm = 10, Seed = 1 },
            OptimizerKind.Adam, 1e-2, weightDecay: 1e-4);
        var losses = result.Epochs.Select(e => e.MeanLoss).ToList();
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses)}");
        double map = Kit.Dch(head, query, db).Map;
        output.WriteLine($"{method}: MAP@H≤2 {map:F3}, LSH {lsh:F3}, collapsed {collapsed:F3} ({centers})");
        Assert.True(map > lsh + 0.1 && map > collapsed + 0.2, $"{method}: MAP@H≤2 {map:F3}, LSH {lsh:F3}, collapsed {collapsed:F3}");
    }
}
