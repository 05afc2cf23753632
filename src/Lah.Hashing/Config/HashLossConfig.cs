namespace Lah.Hashing.Config;

/// <summary>
/// Every choice of the hashing loss. Defaults are the official demos' (γ = 1, λ = 2, IOU, normed). Experiment records
/// hold this record itself, so its property order is part of their content hash: keep it.
/// </summary>
public sealed record HashLossConfig
{
    public double Gamma { get; init; } = 1.0;
    public double Lambda { get; init; } = 2.0;
    public SimilarityKind Similarity { get; init; } = SimilarityKind.Iou;
    public DistanceKind Distance { get; init; } = DistanceKind.NormalizedCosine;
    public QuantizationKind Quantization { get; init; } = QuantizationKind.Squared;
    public LossCombination Combination { get; init; } = LossCombination.Official;
    public PairWeighting PairWeighting { get; init; } = PairWeighting.Official;
    public LossReduction Reduction { get; init; } = LossReduction.Mean;

    /// <summary>Throws naming the field when a value cannot work.</summary>
    public void Validate()
    {
        if (!(Gamma > 0)) throw new ArgumentException($"HashLossConfig.Gamma: expected a positive number, got {Gamma}");
        if (double.IsNaN(Lambda) || Lambda < 0)
            throw new ArgumentException($"HashLossConfig.Lambda: expected a non-negative number, got {Lambda}");
        if (Combination == LossCombination.Paper && Lambda > 1)
            throw new ArgumentException($"HashLossConfig.Lambda: the paper combination λ·L_cce + (1−λ)·L_q needs λ in [0, 1], got {Lambda}");
    }

    /// <summary>
    /// The official code's loss from its option names as the goldens' metadata spells them (sij, normed, gamma,
    /// lambda); missing keys keep their defaults. Throws naming the key on a value it cannot read.
    /// </summary>
    public static HashLossConfig FromOfficialSettings(IReadOnlyDictionary<string, string> settings)
    {
        var c = new HashLossConfig();
        var sij = settings.TryGetValue("sij", out var sv)
            ? sv.ToLowerInvariant() switch
            {
                "iou" => SimilarityKind.Iou,
                "original" => SimilarityKind.Original,
                _ => throw new FormatException($"setting 'sij': expected IOU or original, got '{sv}'"),
            }
            : c.Similarity;
        return c with
        {
            Similarity = sij,
            Distance = OfficialSettings.Bool(settings, "normed", true) ? DistanceKind.NormalizedCosine : DistanceKind.Euclidean,
            Gamma = OfficialSettings.Num(settings, "gamma", c.Gamma),
            Lambda = OfficialSettings.Num(settings, "lambda", c.Lambda),
        };
    }
}
