using System.Runtime.Serialization;
using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Hashing.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Which negatives of a (center, image) anchor–positive pair enter the alignment hinge.</summary>
public enum NegativeMining
{
    /// <summary>Per (image, label): only the valid negative closest to the center (largest hinge).</summary>
    [EnumMember(Value = "hardest")]
    Hardest,
    /// <summary>Every valid negative of the batch, averaged.</summary>
    [EnumMember(Value = "all-negatives")]
    All,
}

/// <summary>
/// Weights of the hybrid loss (ICANN 2023, reconstructed — the paper publishes no code or values; these are ours):
/// total = global + α·local + β·partial + λ·quantization. <see cref="Margin"/> is a fraction of K (0.25 = K/4 bits);
/// <see cref="CentersSeed"/> seeds the label centers (<see cref="HashCenters.Generate"/>).
/// All negatives and λ = 0.01 won a small sweep on the reduced quick VOC grid at 32 bits (MAP@H≤2 0.618 against 0.569
/// with hardest negatives and λ = 0.1; without the partial term 0.536): a starting point, not the paper's values.
/// </summary>
public sealed record HybridLossOptions
{
    public double Alpha { get; init; } = 1.0;
    public double Beta { get; init; } = 1.0;
    public double Lambda { get; init; } = 0.01;
    public double Margin { get; init; } = 0.25;
    public NegativeMining Negatives { get; init; } = NegativeMining.All;
    public int CentersSeed { get; init; }

    public void Validate()
    {
        foreach (var (name, v) in new[] { ("Alpha", Alpha), ("Beta", Beta), ("Lambda", Lambda), ("Margin", Margin) })
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException($"HybridLossOptions.{name}: expected a finite value ≥ 0, got {v}");
    }
}

/// <summary>The hybrid loss and its addends as weighted in <see cref="Total"/>. Scalars.</summary>
public sealed record HybridLossTerms(Tensor Total, Tensor Global, Tensor Local, Tensor Partial, Tensor Quantization);

/// <summary>Pieces shared by the center and pairwise losses. u: B×K relaxed codes, labels: B×R multi-hot.</summary>
public static class CodeLossTerms
{
    /// <summary>Keeps log((1 ± u)/2) finite where tanh saturates to ±1 in float32.</summary>
    public const double Eps = 1e-6;

    /// <summary>mean((|u| − 1)²).</summary>
    public static Tensor Quantization(Tensor u) => (u.Abs() - 1.0).Pow(2).Mean();

    /// <summary>
    /// B×T matrix of binary cross-entropies between (uᵢ+1)/2 and (tₜ+1)/2, averaged over the K bits, for ±1 targets t (T×K).
    /// </summary>
    public static Tensor BitCrossEntropy(Tensor u, Tensor targets)
    {
        long k = u.Shape[1];
        var p = ((u + 1.0) * 0.5).Clamp(Eps, 1 - Eps);
        var t = (targets + 1.0) * 0.5;
        return -(p.Log().MatMul(t.T()) + (1.0 - p).Log().MatMul((1.0 - t).T())) / (double)k;
    }

    /// <summary>B×B 1/0 matrix: 1 where two rows share at least one label (1 on the diagonal of a labelled row).</summary>
    public static Tensor SharesLabel(Tensor labels) => labels.MatMul(labels.T()).Gt(0.0).To(labels.DType);

    /// <summary>1 off the diagonal, 0 on it, on <paramref name="like"/>'s device and dtype.</summary>
    public static Tensor OffDiagonal(Tensor like)
    {
        long b = like.Shape[0];
        return 1.0 - Torch.Eye(b, null, like.DType, like.Device);
    }

    /// <summary>Labels as the codes' dtype on their device (callers pass float32 labels with float64 codes in grad checks).</summary>
    public static Tensor Align(Tensor labels, Tensor u) =>
        labels.DType == u.DType && labels.Device == u.Device ? labels : labels.To(u.Device, u.DType);

    public static void CheckShapes(Tensor u, Tensor labels, string who)
    {
        if (u.Dim != 2 || labels.Dim != 2 || u.Shape[0] != labels.Shape[0])
            throw new ArgumentException(
                $"{who}: expected codes B×K and labels B×R with the same B, got codes [{string.Join(',', u.Shape)}], labels [{string.Join(',', labels.Shape)}]");
    }
}

/// <summary>
/// The hybrid loss of global label centers and local alignment (Liu, Pan, Yin, ICANN 2023), reconstructed from the
/// paper's description (no code is public). With centers C (R×K, ±1), codes u = tanh(·) (B×K), labels Y (B×R):
/// <list type="bullet">
/// <item>global: BCE((u_i+1)/2, (c_r+1)/2) averaged over K bits, over the labels r of image i, then over the labelled images;</item>
/// <item>local: hinge max(0, m·K + d(c_r, u_i) − d(c_r, u_j)) / K for r a label of i and j sharing no label with i,
/// d = <see cref="CodeDistance"/>'s normalised cosine K/2·(1 − cos); dividing by K keeps α independent of the code length;</item>
/// <item>partial: pairs sharing some but not all labels, (d(u_i, u_j) − K/2·(1 − IoU_ij))² / (K/2)², i.e. (IoU − cos)²;</item>
/// <item>quantization: mean((|u| − 1)²).</item>
/// </list>
/// As an <see cref="IHashLoss"/> ("hybrid") it scores the relaxed codes; parts "global", "local", "partial", "quantization".
/// Its local and partial terms compare images, so it takes batches of 2 or more.
/// </summary>
public sealed class HybridHashLoss : IHashLoss
{
    public HybridLossOptions Options { get; }
    public HashCenterSet CenterSet { get; }
    private readonly Tensor _centers;

    public HybridHashLoss(HashCenterSet centers, HybridLossOptions? options = null)
    {
        Options = options ?? new HybridLossOptions();
        Options.Validate();
        CenterSet = centers;
        _centers = centers.ToTensor().DetachFromScopes();
    }

    /// <summary>The loss with the centers <see cref="HybridLossOptions.CentersSeed"/> draws for R labels and K bits.</summary>
    public HybridHashLoss(int labels, int bits, HybridLossOptions? options = null)
        : this(HashCenters.Generate(labels, bits, unchecked((ulong)(options ?? new HybridLossOptions()).CentersSeed)), options)
    {
    }

    public string Name => "hybrid";

    /// <summary>The centers (R×K float32, CPU); the loss moves them to the codes' device and dtype.</summary>
    public Tensor Centers => _centers;

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        var t = Compute(output.Codes, labels);
        return new LossValue(t.Total, [("global", t.Global), ("local", t.Local), ("partial", t.Partial), ("quantization", t.Quantization)]);
    }

    public HybridLossTerms Compute(Tensor u, Tensor labels)
    {
        CodeLossTerms.CheckShapes(u, labels, nameof(HybridHashLoss));
        if (labels.Shape[1] != CenterSet.Labels || u.Shape[1] != CenterSet.Bits)
            throw new ArgumentException($"{nameof(HybridHashLoss)}: expected {CenterSet.Labels} labels and {CenterSet.Bits} bits (the centers'), got {labels.Shape[1]} and {u.Shape[1]}");
        var y = CodeLossTerms.Align(labels, u);
        var c = _centers.To(u.Device, u.DType);
        var g = Global(u, y, c);
        var l = Local(u, y, c, Options.Margin, Options.Negatives) * Options.Alpha;
        var p = Partial(u, y) * Options.Beta;
        var q = CodeLossTerms.Quantization(u) * Options.Lambda;
        return new HybridLossTerms(g + l + p + q, g, l, p, q);
    }

    /// <summary>Every image pulled toward each of its label centers (BCE), averaged per image over its labels, then over labelled images.</summary>
    public static Tensor Global(Tensor u, Tensor y, Tensor centers)
    {
        var bce = CodeLossTerms.BitCrossEntropy(u, centers); // B×R
        var count = y.Sum([1]);
        var perImage = (bce * y).Sum([1]) / count.Clamp(1.0, null);
        return perImage.Sum() / count.Gt(0.0).To(u.DType).Sum().Clamp(1.0, null);
    }

    /// <summary>
    /// Triplets (center c_r of a label of i, image i, image j sharing no label with i) as hinges on distances / K;
    /// hardest: per (i, r) the valid j nearest to c_r; all: the mean over every valid triplet. Zero without triplets.
    /// </summary>
    public static Tensor Local(Tensor u, Tensor y, Tensor centers, double margin, NegativeMining negatives)
    {
        long k = u.Shape[1];
        var d = CodeDistance.Pairwise(u, centers, DistanceKind.NormalizedCosine) / (double)k; // B×R, in [0, 1]
        var neg = 1.0 - CodeLossTerms.SharesLabel(y); // B×B: j shares no label with i
        var hinge = d.Unsqueeze(1) - d.Unsqueeze(0) + margin; // [i, j, r] = m + d(c_r, u_i) − d(c_r, u_j)
        switch (negatives)
        {
            case NegativeMining.All:
                var mask = neg.Unsqueeze(2) * y.Unsqueeze(1); // i has label r, j is a negative of i
                return (hinge.Relu() * mask).Sum() / mask.Sum().Clamp(1.0, null);
            case NegativeMining.Hardest:
                // Push invalid j far below any valid hinge (|hinge| ≤ 1 + margin), so the max over j picks a valid one.
                var hardest = (hinge - (1.0 - neg).Unsqueeze(2) * (4.0 + 2 * margin)).Amax([1]); // B×R
                var valid = y * neg.Sum([1], keepDim: true).Gt(0.0).To(u.DType);
                return (hardest.Relu() * valid).Sum() / valid.Sum().Clamp(1.0, null);
            default: throw new ArgumentOutOfRangeException(nameof(negatives), negatives, "unknown negative mining");
        }
    }

    /// <summary>
    /// Pairs sharing some but not all labels: (d_ij/(K/2) − (1 − IoU_ij))², averaged over those pairs (zero if none).
    /// Dividing by K/2 (squared: (K/2)²) keeps the term in [0, 4] at any code length.
    /// </summary>
    public static Tensor Partial(Tensor u, Tensor y)
    {
        long k = u.Shape[1];
        var shared = y.MatMul(y.T());
        var count = y.Sum([1]);
        var union = count.Unsqueeze(1) + count.Unsqueeze(0) - shared;
        var iou = shared / union.Clamp(1.0, null);
        var mask = shared.Gt(0.0).To(u.DType) * shared.Lt(union).To(u.DType); // never the diagonal: there shared = union
        var d = CodeDistance.Pairwise(u, u, DistanceKind.NormalizedCosine) / (k / 2.0);
        return ((d - (1.0 - iou)).Pow(2) * mask).Sum() / mask.Sum().Clamp(1.0, null);
    }
}

/// <summary>
/// CSQ (Yuan et al., CVPR 2020) for multi-label data: an image's center is the sign of the sum of its label centers;
/// bits where the sum is 0 take a seeded random ±1 vector's (fixed for the loss, as CSQ's random center). Loss: mean BCE
/// between (u+1)/2 and (center+1)/2 over bits and images, + λ·mean((|u| − 1)²). As an <see cref="IHashLoss"/> ("csq")
/// it scores the relaxed codes, each image on its own (a batch of one is enough); parts "center" and "quantization".
/// </summary>
public sealed class CsqLoss : IHashLoss
{
    public HashCenterSet CenterSet { get; }
    public double Lambda { get; }
    private readonly Tensor _centers, _fill;

    /// <summary>CSQ's code's λ.</summary>
    public const double DefaultLambda = 1e-4;

    /// <param name="fill">the ±1 bits used where the label centers sum to 0; null: <see cref="RandomFill"/></param>
    public CsqLoss(HashCenterSet centers, double lambda = DefaultLambda, float[]? fill = null)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentException($"lambda: expected a finite value ≥ 0, got {lambda}");
        if (fill is not null && (fill.Length != centers.Bits || fill.Any(v => Math.Abs(v) != 1)))
            throw new ArgumentException($"fill: expected {centers.Bits} values ±1");
        (CenterSet, Lambda) = (centers, lambda);
        _centers = centers.ToTensor().DetachFromScopes();
        var f = fill ?? RandomFill(centers);
        Fill = f;
        _fill = Torch.FromArray(f, 1, centers.Bits).DetachFromScopes();
    }

    public IReadOnlyList<float> Fill { get; }

    /// <summary>The key of the fill's stream in <see cref="Rng.For"/> (with the centers' seed): "CSQFILL".</summary>
    public const ulong FillStreamKey = 0x43535146494C4C;

    /// <summary>The default fill: K bits ±1 from the centers' seed, on a stream of its own (not the centers').</summary>
    public static float[] RandomFill(HashCenterSet centers)
    {
        var rng = Rng.For(centers.Seed, FillStreamKey);
        return Enumerable.Range(0, centers.Bits).Select(_ => rng.NextInt(2) == 0 ? -1f : 1f).ToArray();
    }

    public string Name => "csq";

    public int MinBatch => 1;

    /// <summary>Means over images and bits of per-image terms (its centers are fixed): each rank scores its own slice.</summary>
    public bool NeedsGlobalBatch => false;

    /// <summary>The label centers (R×K float32, CPU); the loss moves them to the codes' device and dtype.</summary>
    public Tensor Centers => _centers;

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        var (total, center, q) = Compute(output.Codes, labels);
        return new LossValue(total, [("center", center), ("quantization", q)]);
    }

    /// <summary>B×K ±1 targets: sign(Y·C), the random center's bit where the sum is 0.</summary>
    public Tensor Targets(Tensor labels, Tensor like)
    {
        var y = CodeLossTerms.Align(labels, like);
        var sign = y.MatMul(_centers.To(like.Device, like.DType)).Sign();
        return sign + (1.0 - sign.Abs()) * _fill.To(like.Device, like.DType);
    }

    public (Tensor Total, Tensor Center, Tensor Quantization) Compute(Tensor u, Tensor labels)
    {
        CodeLossTerms.CheckShapes(u, labels, nameof(CsqLoss));
        var t = (Targets(labels, u) + 1.0) * 0.5;
        var p = ((u + 1.0) * 0.5).Clamp(CodeLossTerms.Eps, 1 - CodeLossTerms.Eps);
        var center = -(t * p.Log() + (1.0 - t) * (1.0 - p).Log()).Mean();
        var q = CodeLossTerms.Quantization(u) * Lambda;
        return (center + q, center, q);
    }
}

/// <summary>
/// HashNet's settings (their code's defaults): β₀ = <see cref="InitialBeta"/>, continuation β_e = β₀·(1 + γ·e)^p per
/// epoch e (γ = <see cref="Gamma"/>, p = <see cref="Power"/>), α = <see cref="Scale"/>/K (their sigmoid_param 10/K), and
/// an optional λ·quantization on h (off by default). Experiment records hold this record itself: keep the property order.
/// </summary>
public sealed record HashNetOptions
{
    public double InitialBeta { get; init; } = 1.0;
    public double Gamma { get; init; } = 1.0;
    public double Power { get; init; } = 0.5;
    public double Scale { get; init; } = 10.0;
    public double Lambda { get; init; } = 0.0;

    /// <summary>Throws naming the field when a value cannot work.</summary>
    public void Validate()
    {
        foreach (var (name, v) in new[] { (nameof(InitialBeta), InitialBeta), (nameof(Scale), Scale) })
            if (!(v > 0) || double.IsInfinity(v)) throw new ArgumentException($"HashNetOptions.{name}: expected a finite value > 0, got {v}");
        foreach (var (name, v) in new[] { (nameof(Gamma), Gamma), (nameof(Power), Power), (nameof(Lambda), Lambda) })
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException($"HashNetOptions.{name}: expected a finite value ≥ 0, got {v}");
    }
}

/// <summary>
/// HashNet (Cao et al., ICCV 2017): weighted pairwise cross-entropy on α·⟨h_i, h_j⟩ with h = tanh(β·x), s_ij = 1 when
/// a label is shared. The head's u = tanh(x) is mapped back to x = atanh(u) (u clamped to ±(1 − 1e-6): only where
/// tanh already saturated), so β's continuation needs no change to the head. Weights as HashNet's: S/S₁ on similar,
/// S/S₀ on dissimilar off-diagonal pairs; α = <see cref="HashNetOptions.Scale"/>/K. β grows per epoch:
/// <see cref="BeginEpoch"/>(e) sets β_e = β₀·(1 + γ·e)^p (HashNet steps it per iteration). As an <see cref="IHashLoss"/>
/// ("hashnet") it scores the relaxed codes; parts "pairwise" and "quantization".
/// </summary>
public sealed class HashNetLoss : IHashLoss
{
    public HashNetOptions Options { get; }

    /// <summary>The current continuation β (β₀ until <see cref="BeginEpoch"/> is called).</summary>
    public double Beta { get; private set; }

    public HashNetLoss(HashNetOptions? options = null)
    {
        Options = options ?? new HashNetOptions();
        Options.Validate();
        Beta = Options.InitialBeta;
    }

    public string Name => "hashnet";

    /// <summary>β for epoch <paramref name="epoch"/> (0-based): β₀·(1 + γ·epoch)^p.</summary>
    public void BeginEpoch(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "expected a 0-based epoch");
        Beta = Options.InitialBeta * Math.Pow(1 + Options.Gamma * epoch, Options.Power);
    }

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        var (total, pairwise, q) = Compute(output.Codes, labels);
        return new LossValue(total, [("pairwise", pairwise), ("quantization", q)]);
    }

    public (Tensor Total, Tensor Pairwise, Tensor Quantization) Compute(Tensor u, Tensor labels)
    {
        CodeLossTerms.CheckShapes(u, labels, nameof(HashNetLoss));
        var x = u.Clamp(-1 + CodeLossTerms.Eps, 1 - CodeLossTerms.Eps);
        x = (x.Log1p() - (-x).Log1p()) * 0.5; // atanh
        var h = (x * Beta).Tanh();
        var theta = h.MatMul(h.T()) * (Options.Scale / u.Shape[1]);
        var s = CodeLossTerms.SharesLabel(CodeLossTerms.Align(labels, u));
        var off = CodeLossTerms.OffDiagonal(u);
        var similar = (s * off).Sum();
        var dissimilar = ((1.0 - s) * off).Sum();
        var all = off.Sum();
        var w = s * (all / similar.Clamp(1.0, null)) + (1.0 - s) * (all / dissimilar.Clamp(1.0, null));
        var pairwise = ((theta.Softplus() - s * theta) * w * off).Sum() / all;
        var q = CodeLossTerms.Quantization(h) * Options.Lambda;
        return (pairwise + q, pairwise, q);
    }
}

/// <summary>
/// DPSH (Li et al., IJCAI 2016): the pairwise likelihood on θ_ij = ½·uᵢᵀuⱼ, L = log(1 + e^θ) − s_ij·θ (s_ij = 1 when a
/// label is shared), averaged over the off-diagonal pairs of the batch, + η·mean((|u| − 1)²) (their ‖b − u‖² with b = sign u).
/// As an <see cref="IHashLoss"/> ("dpsh") it scores the relaxed codes; parts "likelihood" and "quantization".
/// </summary>
public sealed class DpshLoss(double eta = DpshLoss.DefaultEta) : IHashLoss
{
    /// <summary>Ours: DPSH sums over pairs, we average, so their η does not carry over.</summary>
    public const double DefaultEta = 0.1;

    public double Eta { get; } = eta >= 0 && !double.IsInfinity(eta) ? eta : throw new ArgumentException($"eta: expected a finite value ≥ 0, got {eta}");

    public string Name => "dpsh";

    public LossValue Compute(HeadOutput output, Tensor labels)
    {
        var (total, likelihood, q) = Compute(output.Codes, labels);
        return new LossValue(total, [("likelihood", likelihood), ("quantization", q)]);
    }

    public (Tensor Total, Tensor Likelihood, Tensor Quantization) Compute(Tensor u, Tensor labels)
    {
        CodeLossTerms.CheckShapes(u, labels, nameof(DpshLoss));
        var theta = u.MatMul(u.T()) * 0.5;
        var s = CodeLossTerms.SharesLabel(CodeLossTerms.Align(labels, u));
        var off = CodeLossTerms.OffDiagonal(u);
        var likelihood = ((theta.Softplus() - s * theta) * off).Sum() / off.Sum();
        var q = CodeLossTerms.Quantization(u) * Eta;
        return (likelihood + q, likelihood, q);
    }
}
