using Lah.Hashing.Config;
using Lah.Torch;

namespace Lah.Hashing.Losses;

/// <summary>The continuous Hamming surrogates of DCH, computed exactly as the official code does (same small terms).</summary>
public static class CodeDistance
{
    /// <summary>
    /// Pairwise distances (U×V) between rows of <paramref name="u"/> (U×K) and <paramref name="v"/> (V×K).
    /// Normalised cosine: K/2 · (1 − u·v / sqrt(‖u‖²(‖v‖² + 1e-6)) + 1e-6); Euclidean: ‖u‖² − 2u·v + ‖v‖² + 0.001.
    /// </summary>
    public static Tensor Pairwise(Tensor u, Tensor v, DistanceKind kind)
    {
        long k = u.Shape[1];
        var ip = u.MatMul(v.T());
        var su = u.Pow(2).Sum([1], keepDim: true);
        var sv = v.Pow(2).Sum([1], keepDim: true);
        return kind switch
        {
            DistanceKind.NormalizedCosine => (1.0 - ip / su.MatMul((sv + 1e-6).T()).Sqrt() + 1e-6) * (k / 2.0),
            DistanceKind.Euclidean => su - ip * 2.0 + sv.T() + 0.001,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown distance"),
        };
    }
}
