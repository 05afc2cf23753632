using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Training.Features;

/// <summary>
/// The loss a feature-mode trainer minimises, given one forward pass of the head (fusion output and relaxed codes) and
/// the batch's multi-hot labels (B×R, 0/1). Cauchy hashing, ML-GCN classification and later losses plug in here.
/// </summary>
public interface IHeadLoss
{
    /// <summary>A short name for logs and fingerprints, e.g. "cauchy" or "classification".</summary>
    string Name { get; }

    HeadLossValue Compute(HeadOutput output, Tensor labels);
}

/// <summary>The scalar to minimise and its named parts (as weighted in the total), for logs and divergence messages.</summary>
public sealed record HeadLossValue(Tensor Total, IReadOnlyList<(string Name, Tensor Value)> Parts)
{
    public HeadLossValue(Tensor total) : this(total, []) { }
}

/// <summary>The pairwise Cauchy loss (DCH/LAH) on the relaxed codes; parts "cauchy" and "quantization".</summary>
public sealed class CauchyHeadLoss(CauchyHashLoss loss) : IHeadLoss
{
    public CauchyHashLoss Loss { get; } = loss;

    public string Name => "cauchy";

    public HeadLossValue Compute(HeadOutput output, Tensor labels)
    {
        var t = Loss.Compute(output.Codes, labels);
        return new HeadLossValue(t.Total, [("cauchy", t.Cauchy), ("quantization", t.Quantization)]);
    }
}

/// <summary>
/// ML-GCN's criterion on the fusion output as label scores (what <see cref="LahModel.ClassifierScores"/> returns:
/// MultiLabelSoftMargin, needs one fused value per label, i.e. dot product or MFB with stride = J).
/// </summary>
public sealed class ClassificationHeadLoss : IHeadLoss
{
    public string Name => "classification";

    public HeadLossValue Compute(HeadOutput output, Tensor labels)
    {
        if (output.Fused.Dim != 2 || output.Fused.Shape[1] != labels.Shape[1])
            throw new ArgumentException(
                $"ClassificationHeadLoss: expected one fused value per label ({labels.Shape[1]}), got fusion output [{string.Join(',', output.Fused.Shape)}]" +
                " (use the dot product, or MFB with PoolingStride = JointDim)");
        return new HeadLossValue(ClassificationLoss.MultiLabelSoftMargin(output.Fused, labels));
    }
}

/// <summary>Any loss as a function of (head output, labels) → scalar.</summary>
public sealed class DelegateHeadLoss(string name, Func<HeadOutput, Tensor, Tensor> compute) : IHeadLoss
{
    public string Name { get; } = name;

    public HeadLossValue Compute(HeadOutput output, Tensor labels) => new(compute(output, labels));
}
