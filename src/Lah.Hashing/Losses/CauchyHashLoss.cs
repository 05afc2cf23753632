using Lah.Hashing.Config;
using Lah.Torch;

namespace Lah.Hashing.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// The pairwise Cauchy cross-entropy (DCH, as the official cauchy_hash.py computes it) plus a quantisation term.
/// Within a batch: c_ij = γ/(d_ij + γ); w_ij = |s_ij − 1| + (Σ|2s − 1| / Σs)·s_ij with both sums over the full B×B
/// matrix, diagonal included; L_cce = mean over i ≠ j of w_ij·[−s_ij log c_ij − (1 − s_ij) log(1 − c_ij)].
/// </summary>
public sealed class CauchyHashLoss
{
    public HashLossConfig Config { get; }

    public CauchyHashLoss(HashLossConfig config)
    {
        config.Validate();
        Config = config;
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

    /// <summary>L_cce, the balanced Cauchy cross-entropy over the off-diagonal pairs of the batch.</summary>
    public Tensor CrossEntropy(Tensor u, Tensor labels)
    {
        long b = u.Shape[0];
        var s = PairwiseSimilarity.Compute(labels, Config.Similarity);
        var d = CodeDistance.Pairwise(u, u, Config.Distance);
        var cauchy = Config.Gamma / (d + Config.Gamma);
        var balance = (s - 1.0).Abs() + s * ((s - 0.5) * 2.0).Abs().Sum() / s.Sum();
        // A 0/1 off-diagonal mask multiplied in, not masked_select: no data-dependent shape, so it runs on every
        // device (meta included) and creates nothing off u's device. The diagonal's Cauchy value is set to ½ before
        // the logs (there c_ii ≈ 1 and log(1 − c_ii) may be −∞, and −∞·0 would be NaN); off the diagonal x·1 + ½·0 = x.
        var offDiagonal = Torch.Ones([b, b], u.DType, u.Device) - Torch.Eye(b, dtype: u.DType, device: u.Device);
        var cm = cauchy * offDiagonal + (1.0 - offDiagonal) * 0.5;
        var all = -s * cm.Log() - (1.0 - s) * (1.0 - cm).Log();
        return (all * balance * offDiagonal).Sum() / (b * (b - 1.0));
    }

    /// <summary>
    /// Squared: mean (|u| − 1)²; Cauchy (the paper): mean_i log(1 + δ(|u_i|, 1)/γ) with δ the configured distance.
    /// </summary>
    public Tensor Quantization(Tensor u)
    {
        var a = u.Abs();
        switch (Config.Quantization)
        {
            case QuantizationKind.Squared:
                return (a - 1.0).Pow(2).Mean();
            case QuantizationKind.Cauchy:
                var ones = Torch.Ones([1, u.Shape[1]], u.DType, u.Device);
                return (CodeDistance.Pairwise(a, ones, Config.Distance) / Config.Gamma).Log1p().Mean();
            default: throw new ArgumentOutOfRangeException(nameof(Config.Quantization), Config.Quantization, "unknown quantization");
        }
    }
}
