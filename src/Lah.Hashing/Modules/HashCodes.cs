using Lah.Torch;

namespace Lah.Hashing.Modules;

/// <summary>Binary codes from relaxed outputs.</summary>
public static class HashCodes
{
    /// <summary>sign with 0 ↦ −1, as the official evaluation (u &gt; 0 → +1, u ≤ 0 → −1); float ±1, no gradient.</summary>
    public static Tensor Binarize(Tensor u)
    {
        using var positive = u.Gt(0.0);
        using var asFloat = positive.To(DType.Float32);
        using var twice = asFloat * 2.0;
        return twice - 1.0;
    }
}
