using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Hashing.Losses;

/// <summary>
/// ML-GCN's classification criterion, MultiLabelSoftMarginLoss on {0,1} targets, applied to the head's fusion output
/// as label scores (what <see cref="LahModel.ClassifierScores"/> returns): it needs one fused value per label, i.e. the
/// dot product or MFB with stride = J. Each image is scored on its own, so a batch of one is enough.
/// </summary>
public sealed class MultiLabelSoftMarginLoss : IHashLoss
{
    public string Name => "classification";

    public int MinBatch => 1;

    /// <summary>A mean over images of per-image terms: each rank scores its own slice.</summary>
    public bool NeedsGlobalBatch => false;

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        if (output.Fused.Dim != 2 || labels.Dim != 2 || output.Fused.Shape[1] != labels.Shape[1])
            throw new ArgumentException(
                $"ClassificationHeadLoss: expected one fused value per label ({labels.Shape[^1]}), got fusion output [{string.Join(',', output.Fused.Shape)}]" +
                " (use the dot product, or MFB with PoolingStride = JointDim)");
        return new LossValue(Compute(output.Fused, labels));
    }

    /// <summary>The criterion on label scores (B×R) against targets of the same shape.</summary>
    public Tensor Compute(Tensor scores, Tensor targets)
    {
        if (!scores.Shape.SequenceEqual(targets.Shape))
            throw new ArgumentException(
                $"targets: expected the scores' shape [{string.Join(',', scores.Shape)}], got [{string.Join(',', targets.Shape)}]");
        return F.MultiLabelSoftMarginLoss(scores, targets);
    }
}
