using System.Globalization;
using Lah.Hashing.Graph;

namespace Lah.Hashing.Config;

/// <summary>
/// Everything that decides a LAH head (and its ablations): defaults are the official demos' settings
/// (GloVe, MFB with J = stride = 358, τ = 0.4, p = 0.15, GCN 300 → 1024 → 2048, dropout 0.1, 48 bits, tanh in training)
/// except that every parameter is trained (<see cref="ParameterTraining.Trained"/>).
/// </summary>
public sealed record LahConfig
{
    /// <summary>R, the number of labels; must match the data's label columns.</summary>
    public int LabelCount { get; init; } = 20;
    public int HashBits { get; init; } = 48;
    /// <summary>D, the pooled image feature size (2048 for ResNet-101).</summary>
    public int ImageDim { get; init; } = 2048;

    public WordEmbedding WordEmbedding { get; init; } = WordEmbedding.Glove;
    /// <summary>Word vector size of the embedding file (300); <see cref="WordEmbedding.OneHot"/> uses R instead.</summary>
    public int WordDim { get; init; } = 300;
    public int GcnHidden { get; init; } = 1024;
    /// <summary>C, the GCN output size when fusing with MFB (CLASSIFIER_CHANNEL).</summary>
    public int ClassifierDim { get; init; } = 2048;
    public double LeakyReluSlope { get; init; } = 0.2;

    public LabelGraphVariant GraphVariant { get; init; } = LabelGraphVariant.Official;
    public AdjacencyNormalization AdjacencyNormalization { get; init; } = AdjacencyNormalization.Transposed;
    public double Tau { get; init; } = 0.4;
    public double P { get; init; } = 0.15;

    public FusionKind Fusion { get; init; } = FusionKind.Mfb;
    /// <summary>J, the MFB joint size (linear_intermediate).</summary>
    public int JointDim { get; init; } = 358;
    /// <summary>Sum-pooling group size; J / stride values are kept per label.</summary>
    public int PoolingStride { get; init; } = 358;
    /// <summary>Shared MFB projections (official) or one pair per label (the paper's Ũ, Ṽ); MFB only.</summary>
    public MfbProjections MfbProjections { get; init; } = MfbProjections.Shared;
    /// <summary>Dropout on the MFB product (DROPOUT_RATIO).</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>tanh on the hash layer while training (the code since 2021-07); false gives the paper-era raw output.</summary>
    public bool TanhInTraining { get; init; } = true;
    public ParameterTraining ParameterTraining { get; init; } = ParameterTraining.Trained;
    public HashLossConfig Loss { get; init; } = new();

    /// <summary>The GCN input size: R for one-hot labels, else the word vectors' size.</summary>
    public int GcnInputDim => WordEmbedding == WordEmbedding.OneHot ? LabelCount : WordDim;

    /// <summary>The GCN output size: the image size for the dot product (f·Eᵀ needs it), else C.</summary>
    public int GcnOutputDim => Fusion == FusionKind.DotProduct ? ImageDim : ClassifierDim;

    /// <summary>Values each label keeps after MFB sum-pooling (out_in_tmp).</summary>
    public int ValuesPerLabel => Fusion == FusionKind.Mfb ? JointDim / PoolingStride : 1;

    /// <summary>The fusion output size, the hash layer's input: R · J / stride (MFB) or R (dot product), D without labels.</summary>
    public int FusedDim => WordEmbedding == WordEmbedding.None ? ImageDim : LabelCount * ValuesPerLabel;

    /// <summary>Throws naming the field when the configuration cannot build a model.</summary>
    public void Validate()
    {
        static void Positive(string name, int v)
        {
            if (v <= 0) throw new ArgumentException($"LahConfig.{name}: expected a positive size, got {v}");
        }
        Positive(nameof(LabelCount), LabelCount);
        Positive(nameof(HashBits), HashBits);
        Positive(nameof(ImageDim), ImageDim);
        Positive(nameof(WordDim), WordDim);
        Positive(nameof(GcnHidden), GcnHidden);
        Positive(nameof(ClassifierDim), ClassifierDim);
        Positive(nameof(JointDim), JointDim);
        Positive(nameof(PoolingStride), PoolingStride);
        if (JointDim % PoolingStride != 0)
            throw new ArgumentException(
                $"LahConfig.PoolingStride: expected a divisor of JointDim = {JointDim}, got {PoolingStride}");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentException($"LahConfig.Dropout: expected a probability in [0, 1), got {Dropout}");
        if (MfbProjections == MfbProjections.PerLabel && Fusion != FusionKind.Mfb)
            throw new ArgumentException("LahConfig.MfbProjections: PerLabel needs Fusion = Mfb (the dot product has no projections)");
        if (double.IsNaN(Tau) || double.IsNaN(P)) throw new ArgumentException("LahConfig.Tau / P: expected numbers, got NaN");
        Loss.Validate();
    }

    /// <summary>
    /// A configuration from the official code's option names as the goldens' metadata spells them
    /// (R, K, threshold_p, threshold_tau, use_mfb, sij, normed, gamma, lambda, image_dim, classifier_dim, gcn_hidden,
    /// word_dim, linear_intermediate, pooling_stride, dropout, leaky_relu_slope). Missing keys keep their defaults;
    /// the official code's loss and graph are used. Throws naming the key on a value it cannot read.
    /// </summary>
    public static LahConfig FromOfficialSettings(IReadOnlyDictionary<string, string> settings)
    {
        var c = new LahConfig();
        int Int(string key, int fallback) => settings.TryGetValue(key, out var s)
            ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw new FormatException($"setting '{key}': expected an integer, got '{s}'")
            : fallback;
        double Num(string key, double fallback) => settings.TryGetValue(key, out var s)
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new FormatException($"setting '{key}': expected a number, got '{s}'")
            : fallback;
        bool Bool(string key, bool fallback) => settings.TryGetValue(key, out var s)
            ? s.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new FormatException($"setting '{key}': expected True or False, got '{s}'"),
            }
            : fallback;
        var sij = settings.TryGetValue("sij", out var sv)
            ? sv.ToLowerInvariant() switch
            {
                "iou" => SimilarityKind.Iou,
                "original" => SimilarityKind.Original,
                _ => throw new FormatException($"setting 'sij': expected IOU or original, got '{sv}'"),
            }
            : c.Loss.Similarity;
        return c with
        {
            LabelCount = Int("R", c.LabelCount),
            HashBits = Int("K", c.HashBits),
            P = Num("threshold_p", c.P),
            Tau = Num("threshold_tau", c.Tau),
            Fusion = Bool("use_mfb", true) ? FusionKind.Mfb : FusionKind.DotProduct,
            ImageDim = Int("image_dim", c.ImageDim),
            ClassifierDim = Int("classifier_dim", c.ClassifierDim),
            GcnHidden = Int("gcn_hidden", c.GcnHidden),
            WordDim = Int("word_dim", c.WordDim),
            JointDim = Int("linear_intermediate", c.JointDim),
            PoolingStride = Int("pooling_stride", c.PoolingStride),
            Dropout = Num("dropout", c.Dropout),
            LeakyReluSlope = Num("leaky_relu_slope", c.LeakyReluSlope),
            Loss = c.Loss with
            {
                Similarity = sij,
                Distance = Bool("normed", true) ? DistanceKind.NormalizedCosine : DistanceKind.Euclidean,
                Gamma = Num("gamma", c.Loss.Gamma),
                Lambda = Num("lambda", c.Loss.Lambda),
            },
        };
    }
}
