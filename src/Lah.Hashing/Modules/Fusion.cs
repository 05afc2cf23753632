using Lah.Torch;

namespace Lah.Hashing.Modules;

/// <summary>
/// Image–label fusion, vectorised over the batch and the labels (the official code loops over both in Python).
/// </summary>
public static class Fusion
{
    /// <summary>
    /// MFB: for every image b and label r, the elementwise product of the projections (imageProjected[b] ⊙
    /// labelProjected[r], J values), dropout (an independent mask per (b, r, j) as the official loop draws it),
    /// then sums over contiguous groups of <paramref name="poolingStride"/> → B×(R·J/stride), label-major.
    /// Without active dropout the pooled products are grouped matrix products, so the B×R×J tensor is never built.
    /// Masks come from <paramref name="generator"/> (null: the global generator).
    /// </summary>
    public static Tensor Mfb(Tensor imageProjected, Tensor labelProjected, int poolingStride, double dropout, bool training,
        Generator? generator = null)
    {
        CheckShapes(imageProjected, labelProjected, poolingStride);
        if (training && dropout > 0)
            return SumPool(F.Dropout(Product(imageProjected, labelProjected), dropout, true, generator), poolingStride);

        long b = imageProjected.Shape[0], r = labelProjected.Shape[0], j = imageProjected.Shape[1];
        long groups = j / poolingStride;
        if (groups == 1) return imageProjected.MatMul(labelProjected.T());
        // z[b, r, g] = Σ_s img[b, g, s]·lab[r, g, s]: one B×s by s×R product per group g.
        using var img = imageProjected.Reshape(b, groups, poolingStride).Permute(1, 0, 2);
        using var lab = labelProjected.Reshape(r, groups, poolingStride).Permute(1, 2, 0);
        using var z = img.Bmm(lab);
        return z.Permute(1, 2, 0).Reshape(b, r * groups);
    }

    /// <summary>
    /// MFB with the paper's per-label projections: imageProjected[b, r] = U_rᵀx̃_b (B×R×J) fused with labelProjected[r]
    /// = V_rᵀE(r) (R×J) by the elementwise product, then dropout and sum-pooling as <see cref="Mfb"/> → B×(R·J/stride).
    /// </summary>
    public static Tensor MfbPerLabel(Tensor imageProjected, Tensor labelProjected, int poolingStride, double dropout, bool training,
        Generator? generator = null)
    {
        if (imageProjected.Dim != 3 || labelProjected.Dim != 2 || imageProjected.Shape[1] != labelProjected.Shape[0]
            || imageProjected.Shape[2] != labelProjected.Shape[1])
            throw new ArgumentException(
                $"MfbPerLabel: expected projections B×R×J and R×J, got [{string.Join(',', imageProjected.Shape)}] and [{string.Join(',', labelProjected.Shape)}]");
        using var l = labelProjected.Unsqueeze(0);
        using var product = imageProjected * l;
        if (training && dropout > 0)
        {
            using var dropped = F.Dropout(product, dropout, true, generator);
            return SumPool(dropped, poolingStride);
        }
        return SumPool(product, poolingStride);
    }

    /// <summary>The B×R×J tensor of products imageProjected[b] ⊙ labelProjected[r].</summary>
    public static Tensor Product(Tensor imageProjected, Tensor labelProjected)
    {
        using var i = imageProjected.Unsqueeze(1);
        using var l = labelProjected.Unsqueeze(0);
        return i * l;
    }

    /// <summary>Sums a B×R×J product over contiguous groups of <paramref name="poolingStride"/> → B×(R·J/stride).</summary>
    public static Tensor SumPool(Tensor product, int poolingStride)
    {
        long b = product.Shape[0], r = product.Shape[1], j = product.Shape[2];
        if (poolingStride <= 0 || j % poolingStride != 0)
            throw new ArgumentException($"poolingStride: expected a divisor of J = {j}, got {poolingStride}");
        using var grouped = product.Reshape(b, r, j / poolingStride, poolingStride);
        using var pooled = grouped.Sum([3]);
        return pooled.Reshape(b, r * (j / poolingStride));
    }

    /// <summary>ML-GCN's dot product: features (B×D) · embeddingsᵀ (R×D) → B×R.</summary>
    public static Tensor DotProduct(Tensor features, Tensor labelEmbeddings)
    {
        if (features.Dim != 2 || labelEmbeddings.Dim != 2 || features.Shape[1] != labelEmbeddings.Shape[1])
            throw new ArgumentException(
                $"DotProduct: expected features B×D and label embeddings R×D, got [{string.Join(',', features.Shape)}] and [{string.Join(',', labelEmbeddings.Shape)}]");
        return features.MatMul(labelEmbeddings.T());
    }

    private static void CheckShapes(Tensor img, Tensor lab, int stride)
    {
        if (img.Dim != 2 || lab.Dim != 2 || img.Shape[1] != lab.Shape[1])
            throw new ArgumentException(
                $"Mfb: expected projections B×J and R×J, got [{string.Join(',', img.Shape)}] and [{string.Join(',', lab.Shape)}]");
        if (stride <= 0 || img.Shape[1] % stride != 0)
            throw new ArgumentException($"poolingStride: expected a divisor of J = {img.Shape[1]}, got {stride}");
    }
}
