using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Training.Features;

/// <summary>The hybrid loss (ICANN 2023, reconstructed); parts "global", "local", "partial", "quantization".</summary>
public sealed class HybridHeadLoss(HybridHashLoss loss) : IHeadLoss
{
    public HybridHashLoss Loss { get; } = loss;

    public string Name => "hybrid";

    public HeadLossValue Compute(HeadOutput output, Tensor labels)
    {
        var t = Loss.Compute(output.Codes, labels);
        return new HeadLossValue(t.Total, [("global", t.Global), ("local", t.Local), ("partial", t.Partial), ("quantization", t.Quantization)]);
    }
}

/// <summary>CSQ with multi-label centers; parts "center" and "quantization".</summary>
public sealed class CsqHeadLoss(CsqLoss loss) : IHeadLoss
{
    public CsqLoss Loss { get; } = loss;

    public string Name => "csq";

    public HeadLossValue Compute(HeadOutput output, Tensor labels)
    {
        var (total, center, q) = Loss.Compute(output.Codes, labels);
        return new HeadLossValue(total, [("center", center), ("quantization", q)]);
    }
}

/// <summary>
/// HashNet; parts "pairwise" and "quantization". Call <see cref="SetEpoch"/> after each epoch (e.g. from
/// <see cref="FeatureTrainingOptions.OnEpoch"/>) to grow the continuation β.
/// </summary>
public sealed class HashNetHeadLoss(HashNetLoss loss) : IHeadLoss
{
    public HashNetLoss Loss { get; } = loss;

    public string Name => "hashnet";

    public void SetEpoch(int epochsDone) => Loss.SetEpoch(epochsDone);

    public HeadLossValue Compute(HeadOutput output, Tensor labels)
    {
        var (total, pairwise, q) = Loss.Compute(output.Codes, labels);
        return new HeadLossValue(total, [("pairwise", pairwise), ("quantization", q)]);
    }
}

/// <summary>DPSH; parts "likelihood" and "quantization".</summary>
public sealed class DpshHeadLoss(DpshLoss loss) : IHeadLoss
{
    public DpshLoss Loss { get; } = loss;

    public string Name => "dpsh";

    public HeadLossValue Compute(HeadOutput output, Tensor labels)
    {
        var (total, likelihood, q) = Loss.Compute(output.Codes, labels);
        return new HeadLossValue(total, [("likelihood", likelihood), ("quantization", q)]);
    }
}
