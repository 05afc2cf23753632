namespace Lah.Hashing.Graph;

/// <summary>
/// The label correlation graph built from training-set co-occurrence counts (the <c>*_adj.pkl</c> files):
/// <see cref="GenA"/> and <see cref="GenAdj"/>. Pure managed double arithmetic, computed once per model.
/// </summary>
public static class LabelGraph
{
    /// <summary>
    /// Label correlation matrix A (R×R, row-major) from occurrence counts <paramref name="nums"/> (R) and co-occurrence
    /// counts <paramref name="cooccurrence"/> (R×R, row-major). P[i,j] = N(i∧j)/N(i) = P(L_j | L_i) is binarised at
    /// <paramref name="tau"/> (official: P ≥ τ ↦ 1; paper: P ≤ τ ↦ 0, i.e. P &gt; τ ↦ 1), then re-weighted with <paramref name="p"/> as <paramref name="variant"/> says.
    /// </summary>
    public static double[] GenA(ReadOnlySpan<double> nums, ReadOnlySpan<double> cooccurrence, double tau, double p,
        LabelGraphVariant variant = LabelGraphVariant.Official)
    {
        int r = nums.Length;
        if (r == 0) throw new ArgumentException("nums: expected at least one label, got 0", nameof(nums));
        if (cooccurrence.Length != r * r)
            throw new ArgumentException(
                $"cooccurrence: expected {r}×{r} = {r * r} values for {r} labels in nums, got {cooccurrence.Length}",
                nameof(cooccurrence));
        if (double.IsNaN(tau) || double.IsNaN(p)) throw new ArgumentException("tau and p must be numbers");

        // A label that never occurs (N(i) = 0) makes NumPy's P row nan, which the code would carry into A;
        // here nan compares false, so such a row simply has no edges.
        var b = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double prob = cooccurrence[i * r + j] / nums[i];
                bool edge = variant == LabelGraphVariant.Paper ? prob > tau : prob >= tau;
                b[i * r + j] = edge ? 1 : 0;
            }

        var a = new double[r * r];
        switch (variant)
        {
            case LabelGraphVariant.Official:
                for (int j = 0; j < r; j++)
                {
                    double colSum = 0;
                    for (int i = 0; i < r; i++) colSum += b[i * r + j];
                    double scale = p / (colSum + 1e-6);
                    for (int i = 0; i < r; i++) a[i * r + j] = b[i * r + j] * scale;
                }
                for (int i = 0; i < r; i++) a[i * r + i] += 1;
                break;
            case LabelGraphVariant.Paper:
                for (int i = 0; i < r; i++)
                {
                    double rowSum = 0;
                    for (int j = 0; j < r; j++) if (j != i) rowSum += b[i * r + j];
                    for (int j = 0; j < r; j++)
                        a[i * r + j] = j == i ? 1 - p : rowSum > 0 ? p * b[i * r + j] / rowSum : 0;
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown label graph variant");
        }
        return a;
    }

    /// <summary>Integer-count convenience overload (the pickles store int64 counts for VOC and COCO).</summary>
    public static double[] GenA(ReadOnlySpan<long> nums, ReadOnlySpan<long> cooccurrence, double tau, double p,
        LabelGraphVariant variant = LabelGraphVariant.Official)
    {
        var n = new double[nums.Length];
        for (int i = 0; i < n.Length; i++) n[i] = nums[i];
        var c = new double[cooccurrence.Length];
        for (int i = 0; i < c.Length; i++) c[i] = cooccurrence[i];
        return GenA(n, c, tau, p, variant);
    }

    /// <summary>
    /// Propagation matrix Â (R×R, row-major) from A, with D = diag(rowsum(A))^(-1/2) (for
    /// <see cref="AdjacencyNormalization.Paper"/>: A + I and its row sums). The official code keeps A as a
    /// float32 parameter and normalises in float32; pass <paramref name="float32"/> = true to round A and every step
    /// to float32 as it does (bit-for-bit closer to the goldens), false for double precision.
    /// </summary>
    public static double[] GenAdj(ReadOnlySpan<double> a, AdjacencyNormalization normalization = AdjacencyNormalization.Transposed,
        bool float32 = true)
    {
        int r = (int)Math.Round(Math.Sqrt(a.Length));
        if (r * r != a.Length) throw new ArgumentException($"a: expected a square R×R matrix, got {a.Length} values", nameof(a));
        Func<double, double> round = float32 ? x => (float)x : x => x;
        if (normalization == AdjacencyNormalization.Paper)
        {
            var withSelf = a.ToArray();
            for (int i = 0; i < r; i++) withSelf[i * r + i] = round(round(withSelf[i * r + i]) + 1);
            return GenAdj(withSelf, AdjacencyNormalization.Symmetric, float32);
        }
        var d = new double[r];
        for (int i = 0; i < r; i++)
        {
            double s = 0;
            for (int j = 0; j < r; j++) s += round(a[i * r + j]);
            s = round(s);
            if (s <= 0) throw new ArgumentException($"a: row {i} sums to {s}; gen_adj needs positive row sums", nameof(a));
            d[i] = round(1 / Math.Sqrt(s));
        }
        var result = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double aij = normalization switch
                {
                    AdjacencyNormalization.Transposed => round(a[j * r + i]),
                    AdjacencyNormalization.Symmetric => round(a[i * r + j]),
                    _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown normalisation"),
                };
                result[i * r + j] = round(round(d[i] * aij) * d[j]);
            }
        return result;
    }
}
