using Lah.Torch;

namespace Lah.Hashing.Losses;

/// <summary>ML-GCN's classification criterion: MultiLabelSoftMarginLoss on {0,1} targets.</summary>
public static class ClassificationLoss
{
    public static Tensor MultiLabelSoftMargin(Tensor scores, Tensor targets)
    {
        if (!scores.Shape.SequenceEqual(targets.Shape))
            throw new ArgumentException(
                $"targets: expected the scores' shape [{string.Join(',', scores.Shape)}], got [{string.Join(',', targets.Shape)}]");
        return F.MultiLabelSoftMarginLoss(scores, targets);
    }
}
