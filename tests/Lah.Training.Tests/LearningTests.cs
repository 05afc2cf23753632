using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Graph;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Retrieval;
using Lah.Retrieval.Metrics;
using Lah.Torch.Optim;
using Lah.Training.Batches;
using Lah.Training.Inference;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Training on features that carry label information must give codes that retrieve far better than random ones.</summary>
public class LearningTests
{
    private const int R = 12, D = 32, K = 16, Batch = 32;

    private static (FeatureSet Train, FeatureSet Query, FeatureSet Db) Splits()
    {
        var prototypes = SyntheticFeatures.Prototypes(R, D, 42);
        return (SyntheticFeatures.Make(prototypes, R, D, 640, 0.5, 1),
            SyntheticFeatures.Make(prototypes, R, D, 100, 0.5, 2),
            SyntheticFeatures.Make(prototypes, R, D, 400, 0.5, 3));
    }

    /// <summary>
    /// The project's recipe for heads on small features: Adam at 1e-3, no weight decay, cosine schedule, clipping at
    /// 10. SGD at lr 0.05 with momentum 0.9 is unstable for the LAH head under the normed Cauchy loss: the epoch loss
    /// falls for two epochs, then climbs (1.45 → 0.97 → … → 5.62) as the codes collapse onto a few corners (12 distinct
    /// codes for 640 items), for every head and shuffle seed tried (4 of 4); lr 0.01, or no momentum, trains stably.
    /// </summary>
    private static double TrainWithRecipe(IHashHead head, HashLossConfig loss, int epochs, FeatureSet train, FeatureSet query, FeatureSet db)
    {
        var model = new HeadModel(head);
        using var optimizer = Kit.Optimizer(model, OptimizerKind.Adam, 1e-3);
        return TrainAndEvaluate(head, loss, optimizer, new CosineAnnealingLR(optimizer, epochs), epochs, train, query, db);
    }

    private static double TrainAndEvaluate(IHashHead head, HashLossConfig loss, Optimizer optimizer, LRScheduler? schedule, int epochs,
        FeatureSet train, FeatureSet query, FeatureSet db)
    {
        var result = Kit.Fit(new HeadModel(head), new CauchyHashLoss(loss), new FeatureBatches(train, Batch, seed: 1), optimizer,
            new TrainerSettings { Epochs = epochs, ClipNorm = 10, Seed = 1 }, schedule);
        Assert.Equal(epochs * ((train.Count + Batch - 1) / Batch), result.Steps);
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss,
            $"loss did not fall: {string.Join(", ", result.Epochs.Select(e => e.MeanLoss))}");
        var encoded = FeatureEncoder.Encode(head, query);
        using (var scope = Torch.NewScope())
            Assert.Equal(encoded.Codes.ToSigns(), head.Encode(Torch.FromArray(query.Features, query.Count, D)).ToFloatArray());
        return Kit.Dch(head, query, db).Map;
    }

    private static double RandomCodesMap(FeatureSet query, FeatureSet db)
    {
        var rng = new Random(9);
        PackedCodes Random(int n) => PackedCodes.FromSigns(Enumerable.Range(0, n * K).Select(_ => rng.Next(2) == 0 ? -1f : 1f).ToArray(), n, K);
        return RetrievalMetrics.Dch(Random(query.Count), null, query.Labels, Random(db.Count), null, db.Labels).Map;
    }

    [Fact]
    public void Lah_head_learns_codes_far_above_random()
    {
        var (train, query, db) = Splits();
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
        // Own generators for the weights (here) and dropout (the loop's): other code in the process cannot change the run.
        using var gen = new Lah.Torch.Generator(3);
        var nums = Enumerable.Repeat(100.0, R).ToArray();
        using var head = LahModel.FromCooccurrence(config, null, nums, new double[R * R], gen);
        // 6 epochs of 20 batches: a bounded, seeded run.
        double map = TrainWithRecipe(head, new HashLossConfig(), 6, train, query, db);
        double random = RandomCodesMap(query, db);
        Assert.True(map > 0.55 && map > random + 0.3, $"MAP@H≤2 {map:F3}, random codes {random:F3}");
    }

    [Fact]
    public void Dch_baseline_learns_codes_far_above_random()
    {
        var (train, query, db) = Splits();
        using var gen = new Lah.Torch.Generator(4);
        using var head = new DchModel(D, R, K, generator: gen);
        // SGD with momentum 0.9 and weight decay 1e-4 at a constant rate (the old feature trainer's defaults).
        using var optimizer = Kit.Optimizer(new HeadModel(head), OptimizerKind.Sgd, 0.01, weightDecay: 1e-4);
        double map = TrainAndEvaluate(head, new HashLossConfig(), optimizer, null, 6, train, query, db);
        double random = RandomCodesMap(query, db);
        Assert.True(map > 0.55 && map > random + 0.3, $"MAP@H≤2 {map:F3}, random codes {random:F3}");
    }

    /// <summary>
    /// The head learns through real GloVe vectors and the real VOC 2007 co-occurrence graph: the first 1,300 rows of
    /// classification_trainval.csv (sorted by image id, not by class) give 800 training, 100 query and 400 database
    /// items; features are the sum of a Gaussian prototype per positive label plus noise; the graph is counted on the
    /// 800 training rows only. Official head and loss, and the paper's variants (graph, Â, per-label MFB, pair weights,
    /// Cauchy quantisation, λ·L_cce + (1 − λ)·L_q with the paper's λ = 0.55, sums).
    /// </summary>
    [Theory]
    [InlineData("official")]
    [InlineData("paper")]
    public void Lah_head_learns_through_real_word_vectors_and_cooccurrence(string variant)
    {
        // 24 bits: at 16 a radius-2 ball holds many items and LSH of these features is strong (MAP 0.73 at this
        // noise; the official head reaches 0.68 there, the paper's 0.82 at 30 epochs); at 24 LSH's balls are mostly empty.
        const int Bits = 24;
        var dir = DataPaths.LahLabelDirectory("voc2007");
        var table = LabelFiles.ReadCsv(Path.Combine(dir, "classification_trainval.csv"));
        int r = table.LabelNames.Count;
        Assert.Equal(20, r);
        float[] Rows(int from, int count) => table.Labels.Skip(from).Take(count)
            .SelectMany(l => l.Positive.Select(p => p ? 1f : 0f)).ToArray();
        var prototypes = SyntheticFeatures.Prototypes(r, D, 42);
        const double noise = 1.0;
        var train = SyntheticFeatures.FromLabels(prototypes, Rows(0, 800), r, D, noise, 1);
        var query = SyntheticFeatures.FromLabels(prototypes, Rows(800, 100), r, D, noise, 2);
        var db = SyntheticFeatures.FromLabels(prototypes, Rows(900, 400), r, D, noise, 3);

        var words = LabelEmbedding.FromFile(table.LabelNames, Path.Combine(dir, "wordvec_glove.txt"));
        Assert.Equal(300, words.Dim);
        var cooc = LabelCooccurrence.FromLabels(table.LabelNames, table.Labels.Take(800));
        var nums = cooc.Nums.Select(n => (double)n).ToArray();
        var adj = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++) adj[i * r + j] = cooc.Adj[i, j];

        bool paper = variant == "paper";
        var config = new LahConfig
        {
            LabelCount = r,
            HashBits = Bits,
            ImageDim = D,
            WordDim = words.Dim,
            Head = new LahHeadOptions
            {
                Embedding = WordEmbedding.Glove,
                GcnHidden = 32,
                ClassifierDim = 32,
                JointDim = 16,
                PoolingStride = 16,
                Graph = paper ? LabelGraphVariant.Paper : LabelGraphVariant.Official,
                Propagation = paper ? AdjacencyNormalization.Paper : AdjacencyNormalization.Transposed,
                MfbProjections = paper ? MfbProjections.PerLabel : MfbProjections.Shared,
            },
        };
        var loss = paper
            ? new HashLossConfig
            {
                PairWeighting = PairWeighting.Paper,
                Reduction = LossReduction.Sum,
                Quantization = QuantizationKind.Cauchy,
                Combination = LossCombination.Paper,
                Lambda = 0.55,
            }
            : new HashLossConfig();
        // The real graph has edges (e.g. bicycle → person): the GCN mixes labels, it is not the one-hot identity.
        var a = LabelGraph.GenA(nums, adj, config.Head.Tau, config.Head.P, config.Head.Graph);
        int edges = Enumerable.Range(0, r * r).Count(k => k / r != k % r && a[k] > 0);
        Assert.True(edges >= 3, $"the VOC training graph at τ = {config.Head.Tau} has {edges} edges");

        using var gen = new Lah.Torch.Generator(3);
        using var head = LahModel.FromCooccurrence(config, words.Data, nums, adj, gen);
        double map = TrainWithRecipe(head, loss, 15, train, query, db);
        double lsh = Kit.Lsh(query, db, Bits, 1).Map;
        double collapsed = Kit.Collapsed(query, db, Bits).Map;
        // Measured before the one loop: official 0.652, paper 0.844; LSH 0.115, collapsed 0.232.
        Assert.True(map > collapsed + 0.3 && map > lsh + 0.3,
            $"{variant}: MAP@H≤2 {map:F3}, LSH {lsh:F3}, collapsed {collapsed:F3}");
    }
}
