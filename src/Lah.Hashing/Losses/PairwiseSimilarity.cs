using Lah.Hashing.Config;
using Lah.Torch;

namespace Lah.Hashing.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>The B×B label similarity s of the Cauchy cross-entropy, vectorised (the official code loops over pairs).</summary>
public static class PairwiseSimilarity
{
    /// <summary>
    /// IOU: |Yi∩Yj| / |Yi∪Yj| off the diagonal and 1 on it (two label-less rows: 0); Original: 1 when a label is shared.
    /// </summary>
    public static Tensor Compute(Tensor labels, SimilarityKind kind)
    {
        using var _ = Torch.NoGrad();
        var shared = labels.MatMul(labels.T());
        switch (kind)
        {
            case SimilarityKind.Original:
                return shared.Clamp(0, 1);
            case SimilarityKind.Iou:
                var count = labels.Sum([1]);
                var union = count.Unsqueeze(1) + count.Unsqueeze(0) - shared;
                // A 0/1 factor rather than where (which has no meta kernel in libtorch 1.13): the same values.
                var s = shared / union.Clamp(1e-12, null) * union.Gt(0.0).To(shared.DType);
                s.FillDiagonal_(1);
                return s;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown similarity");
        }
    }
}
