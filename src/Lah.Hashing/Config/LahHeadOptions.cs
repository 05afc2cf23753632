using Lah.Hashing.Graph;

namespace Lah.Hashing.Config;

/// <summary>
/// The head settings an experiment chooses, defaults the official demos' (GloVe, MFB with shared projections,
/// official graph and transposed propagation, τ = 0.4, p = 0.15, J = stride = 358, dropout 0.1, GCN 300 → 1024 → 2048).
/// Experiment records hold this record itself, so its property order is part of their content hash: keep it.
/// What comes from the data and the run (label count, bits, feature sizes) is in <see cref="LahConfig"/>.
/// </summary>
public sealed record LahHeadOptions
{
    public WordEmbedding Embedding { get; init; } = WordEmbedding.Glove;
    public FusionKind Fusion { get; init; } = FusionKind.Mfb;
    public LabelGraphVariant Graph { get; init; } = LabelGraphVariant.Official;
    public AdjacencyNormalization Propagation { get; init; } = AdjacencyNormalization.Transposed;
    /// <summary>Shared MFB projections (official) or one pair per label (the paper's Ũ, Ṽ); MFB only.</summary>
    public MfbProjections MfbProjections { get; init; } = MfbProjections.Shared;
    public double Tau { get; init; } = 0.4;
    public double P { get; init; } = 0.15;
    /// <summary>J, the MFB joint size (linear_intermediate).</summary>
    public int JointDim { get; init; } = 358;
    /// <summary>Sum-pooling group size; J / stride values are kept per label.</summary>
    public int PoolingStride { get; init; } = 358;
    /// <summary>Dropout on the MFB product (DROPOUT_RATIO).</summary>
    public double Dropout { get; init; } = 0.1;
    public int GcnHidden { get; init; } = 1024;
    /// <summary>C, the GCN output size when fusing with MFB (CLASSIFIER_CHANNEL).</summary>
    public int ClassifierDim { get; init; } = 2048;

    /// <summary>Throws naming the field when the settings cannot build a head or do not fit together.</summary>
    public void Validate()
    {
        static void Positive(string name, int v)
        {
            if (v <= 0) throw new ArgumentException($"LahHeadOptions.{name}: expected a positive size, got {v}");
        }
        Positive(nameof(GcnHidden), GcnHidden);
        Positive(nameof(ClassifierDim), ClassifierDim);
        Positive(nameof(JointDim), JointDim);
        Positive(nameof(PoolingStride), PoolingStride);
        if (JointDim % PoolingStride != 0)
            throw new ArgumentException(
                $"LahHeadOptions.PoolingStride: expected a divisor of JointDim = {JointDim}, got {PoolingStride}");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentException($"LahHeadOptions.Dropout: expected a probability in [0, 1), got {Dropout}");
        if (Fusion == FusionKind.None && Embedding != WordEmbedding.None)
            throw new ArgumentException(
                $"LahHeadOptions.Fusion: no-fusion needs Embedding = no-embedding (the image feature alone), got Embedding = {Embedding}");
        if (MfbProjections == MfbProjections.PerLabel && Fusion != FusionKind.Mfb)
            throw new ArgumentException("LahHeadOptions.MfbProjections: PerLabel needs Fusion = Mfb (the dot product has no projections)");
        if (double.IsNaN(Tau) || double.IsNaN(P)) throw new ArgumentException("LahHeadOptions.Tau / P: expected numbers, got NaN");
    }
}
