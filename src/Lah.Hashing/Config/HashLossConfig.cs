namespace Lah.Hashing.Config;

/// <summary>Every choice of the hashing loss. Defaults are the official demos' (γ = 1, λ = 2, IOU, normed).</summary>
public sealed record HashLossConfig
{
    public SimilarityKind Similarity { get; init; } = SimilarityKind.Iou;
    public DistanceKind Distance { get; init; } = DistanceKind.NormalizedCosine;
    public QuantizationKind Quantization { get; init; } = QuantizationKind.Squared;
    public LossCombination Combination { get; init; } = LossCombination.Official;
    public PairWeighting PairWeighting { get; init; } = PairWeighting.Official;
    public LossReduction Reduction { get; init; } = LossReduction.Mean;
    public double Gamma { get; init; } = 1.0;
    public double Lambda { get; init; } = 2.0;

    /// <summary>Throws naming the field when a value cannot work.</summary>
    public void Validate()
    {
        if (!(Gamma > 0)) throw new ArgumentException($"HashLossConfig.Gamma: expected a positive number, got {Gamma}");
        if (double.IsNaN(Lambda) || Lambda < 0)
            throw new ArgumentException($"HashLossConfig.Lambda: expected a non-negative number, got {Lambda}");
        if (Combination == LossCombination.Paper && Lambda > 1)
            throw new ArgumentException($"HashLossConfig.Lambda: the paper combination λ·L_cce + (1−λ)·L_q needs λ in [0, 1], got {Lambda}");
    }
}
