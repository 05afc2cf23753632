using Lah.Hashing.Config;
using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Hashing.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// The pairwise Cauchy cross-entropy (DCH, as the official cauchy_hash.py computes it) plus a quantisation term.
/// Within a batch: c_ij = γ/(d_ij + γ); w_ij = |s_ij − 1| + (Σ|2s − 1| / Σs)·s_ij with both sums over the full B×B
/// matrix, diagonal included; L_cce = mean over i ≠ j of w_ij·[−s_ij log c_ij − (1 − s_ij) log(1 − c_ij)].
/// <see cref="HashLossConfig.PairWeighting"/> and <see cref="HashLossConfig.Reduction"/> select the paper's weights and sums.
/// As an <see cref="IHashLoss"/> ("cauchy") it scores the head's relaxed codes; parts "cauchy" and "quantization".
/// </summary>
public sealed class CauchyHashLoss : IHashLoss
{
    public HashLossConfig Config { get; }

    public CauchyHashLoss(HashLossConfig config)
    {
        config.Validate();
        Config = config;
    }

    public string Name => "cauchy";

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        var t = Compute(output.Codes, labels);
        return new LossValue(t.Total, [("cauchy", t.Cauchy), ("quantization", t.Quantization)]);
    }

    /// <summary>Loss of relaxed codes <paramref name="u"/> (B×K, B ≥ 2) against multi-hot labels (B×R, 0/1).</summary>
    public HashLossTerms Compute(Tensor u, Tensor labels)
    {
        if (u.Dim != 2 || labels.Dim != 2 || u.Shape[0] != labels.Shape[0])
            throw new ArgumentException(
                $"labels: expected one row per code (codes [{string.Join(',', u.Shape)}], labels [{string.Join(',', labels.Shape)}])");
        if (u.Shape[0] < 2) throw new ArgumentException($"u: the pairwise loss needs a batch of at least 2, got {u.Shape[0]}");

        var cce = CrossEntropy(u, labels);
        var q = Quantization(u);
        double lambda = Config.Lambda;
        var (c, qw) = Config.Combination switch
        {
            LossCombination.Official => (cce, q * lambda),
            LossCombination.Paper => (cce * lambda, q * (1 - lambda)),
            _ => throw new ArgumentOutOfRangeException(nameof(Config.Combination), Config.Combination, "unknown combination"),
        };
        return new HashLossTerms(c + qw, c, qw);
    }

    /// <summary>
    /// L_cce, the balanced Cauchy cross-entropy over the off-diagonal pairs of the batch, weighted as
    /// <see cref="HashLossConfig.PairWeighting"/> says and averaged or summed as <see cref="HashLossConfig.Reduction"/>.
    /// </summary>
    public Tensor CrossEntropy(Tensor u, Tensor labels)
    {
        long b = u.Shape[0];
        var s = PairwiseSimilarity.Compute(labels, Config.Similarity);
        var d = CodeDistance.Pairwise(u, u, Config.Distance);
        var cauchy = Config.Gamma / (d + Config.Gamma);
        // A 0/1 off-diagonal mask multiplied in, not masked_select: no data-dependent shape, so it runs on every
        // device (meta included) and creates nothing off u's device.
        var offDiagonal = Torch.Ones([b, b], u.DType, u.Device) - Torch.Eye(b, dtype: u.DType, device: u.Device);
        var balance = Config.PairWeighting switch
        {
            PairWeighting.Official => (s - 1.0).Abs() + s * ((s - 0.5) * 2.0).Abs().Sum() / s.Sum(),
            PairWeighting.Paper => PaperWeights(s, offDiagonal, b),
            _ => throw new ArgumentOutOfRangeException(nameof(Config.PairWeighting), Config.PairWeighting, "unknown pair weighting"),
        };
        // The diagonal's Cauchy value is set to ½ before the logs (there c_ii ≈ 1 and log(1 − c_ii) may be −∞, and
        // −∞·0 would be NaN); off the diagonal x·1 + ½·0 = x.
        var cm = cauchy * offDiagonal + (1.0 - offDiagonal) * 0.5;
        var all = -s * cm.Log() - (1.0 - s) * (1.0 - cm).Log();
        var total = (all * balance * offDiagonal).Sum();
        return Config.Reduction == LossReduction.Sum ? total : total / (b * (b - 1.0));
    }

    /// <summary>
    /// w = s·|S|/|S_s| + (1 − s)·|S|/|S_d| over the B(B − 1) off-diagonal pairs. A batch without similar (or without
    /// dissimilar) pairs has a zero count; clamping it keeps the weight finite, and it multiplies only zeros there.
    /// </summary>
    private static Tensor PaperWeights(Tensor s, Tensor offDiagonal, long b)
    {
        double pairs = b * (b - 1.0);
        var similar = (s * offDiagonal).Sum().Clamp(1e-12, null);
        var dissimilar = ((1.0 - s) * offDiagonal).Sum().Clamp(1e-12, null);
        return s * (pairs / similar) + (1.0 - s) * (pairs / dissimilar);
    }

    /// <summary>
    /// Squared: (|u| − 1)² over the B·K entries; Cauchy (the paper): log(1 + δ(|u_i|, 1)/γ) over the B codes, δ the
    /// configured distance. Averaged (official) or summed (the paper's Eq. 5) as <see cref="HashLossConfig.Reduction"/> says.
    /// </summary>
    public Tensor Quantization(Tensor u)
    {
        var a = u.Abs();
        var perItem = Config.Quantization switch
        {
            QuantizationKind.Squared => (a - 1.0).Pow(2),
            QuantizationKind.Cauchy => (CodeDistance.Pairwise(a, Torch.Ones([1, u.Shape[1]], u.DType, u.Device), Config.Distance)
                / Config.Gamma).Log1p(),
            _ => throw new ArgumentOutOfRangeException(nameof(Config.Quantization), Config.Quantization, "unknown quantization"),
        };
        return Config.Reduction == LossReduction.Sum ? perItem.Sum() : perItem.Mean();
    }
}
