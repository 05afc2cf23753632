using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Tests;
using Xunit;

namespace Lah.Hashing.Tests.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Each loss on a 3-image, 4-bit, 3-label batch against values computed by hand from the formulas (in double, outside
/// libtorch), and against finite differences.
/// </summary>
public class CenterLossTests
{
    private const int B = 3, K = 4, R = 3;

    // Image 0 and 1 share label 0 (IoU 1/2: a partial pair); image 2 shares nothing with either (their negative).
    private static readonly double[] U = [0.5, 0.25, -0.5, -0.75, 0.25, -0.5, 0.75, -0.25, -0.5, 0.5, 0.25, 0.5];
    private static readonly double[] Y = [1, 0, 0, 1, 1, 0, 0, 0, 1];
    private static readonly float[] C = [1, 1, -1, -1, 1, -1, 1, -1, 1, -1, -1, 1];

    private static HashCenterSet Centers => new(C, R, K, 0, "test", 2, 2);

    private static Tensor Codes() => Torch.FromArray(U, B, K);
    private static Tensor Labels() => Torch.FromArray(Y, B, R);

    // Hand values. Global: per image the mean over its labels of mean_k BCE((u+1)/2, (c+1)/2), e.g. image 0 with
    // c_0 = (1, 1, −1, −1): −(ln .75 + ln .625 + ln .75 + ln .875)/4 = 0.2804…; then the mean over the 3 images.
    private const double Global = 0.6752900964088829;
    private const double LocalHardest = 0.17341228577605736, LocalAll = 0.2174223952638094;
    private const double Partial = 0.4659087624665965, Quantization = 0.3229166666666667;

    [Fact]
    public void HybridTermsMatchHandValues()
    {
        using var scope = Torch.NewScope();
        var o = new HybridLossOptions { Alpha = 0.5, Beta = 2, Lambda = 0.1, Margin = 0.25, Negatives = NegativeMining.Hardest };
        var t = new HybridHashLoss(Centers, o).Compute(Codes(), Labels());
        Assert.Equal(Global, t.Global.ItemDouble(), 1e-9);
        Assert.Equal(0.5 * LocalHardest, t.Local.ItemDouble(), 1e-9);
        Assert.Equal(2 * Partial, t.Partial.ItemDouble(), 1e-9);
        Assert.Equal(0.1 * Quantization, t.Quantization.ItemDouble(), 1e-12);
        Assert.Equal(1.7261054308967712, t.Total.ItemDouble(), 1e-9);
        var all = new HybridHashLoss(Centers, o with { Negatives = NegativeMining.All }).Compute(Codes(), Labels());
        Assert.Equal(0.5 * LocalAll, all.Local.ItemDouble(), 1e-9);
    }

    [Fact]
    public void ImageZeroGlobalTermByHand()
    {
        using var scope = Torch.NewScope();
        double expected = -(Math.Log(0.75) + Math.Log(0.625) + Math.Log(0.75) + Math.Log(0.875)) / 4;
        var one = Torch.FromArray(new double[] { 1, 0, 0 }, 1, R);
        var g = HybridHashLoss.Global(Torch.FromArray(U[..4], 1, K), one, Centers.ToTensor().To(DType.Float64));
        Assert.Equal(expected, g.ItemDouble(), 1e-12);
    }

    [Fact]
    public void NoTripletsOrPartialPairsGiveZeroNotNaN()
    {
        using var scope = Torch.NewScope();
        var same = Torch.FromArray(new double[] { 1, 0, 0, 1, 0, 0, 1, 0, 0 }, B, R); // everyone shares label 0 fully
        var t = new HybridHashLoss(Centers).Compute(Codes(), same);
        Assert.Equal(0.0, t.Local.ItemDouble());
        Assert.Equal(0.0, t.Partial.ItemDouble());
        Assert.True(double.IsFinite(t.Total.ItemDouble()));
    }

    [Fact]
    public void CsqTargetsAndLossMatchHandValues()
    {
        using var scope = Torch.NewScope();
        var csq = new CsqLoss(Centers, 0.5, fill: [1, -1, -1, 1]);
        // Label sums: (1,1,−1,−1), (2,0,0,−2) → zeros take the fill's bits, (1,−1,−1,1).
        Assert.Equal(new double[] { 1, 1, -1, -1, 1, -1, -1, -1, 1, -1, -1, 1 }, csq.Targets(Labels(), Codes()).ToDoubleArray());
        var (total, _, q) = csq.Compute(Codes(), Labels());
        Assert.Equal(0.8720525072583498, total.ItemDouble(), 1e-9);
        Assert.Equal(0.5 * Quantization, q.ItemDouble(), 1e-12);
        Assert.Equal(new CsqLoss(Centers).Fill, new CsqLoss(Centers).Fill); // seeded
    }

    [Fact]
    public void DpshMatchesHandValue()
    {
        using var scope = Torch.NewScope();
        var (total, _, _) = new DpshLoss(0.1).Compute(Codes(), Labels());
        Assert.Equal(0.6683737041848711, total.ItemDouble(), 1e-9);
    }

    [Fact]
    public void HashNetMatchesHandValueAndItsBetaGrowsPerEpoch()
    {
        using var scope = Torch.NewScope();
        var loss = new HashNetLoss(new HashNetOptions { InitialBeta = 1, Gamma = 3, Power = 0.5 });
        Assert.Equal(1.2383654044289034, loss.Compute(Codes(), Labels()).Total.ItemDouble(), 1e-9);
        loss.BeginEpoch(1); // β = 1·(1 + 3·1)^0.5 = 2
        Assert.Equal(2.0, loss.Beta, 1e-12);
        Assert.Equal(1.2246190426106789, loss.Compute(Codes(), Labels()).Total.ItemDouble(), 1e-9);
    }

    [Fact]
    public void LossesWorkInFloat32WithFloat32Labels()
    {
        using var scope = Torch.NewScope();
        var u = Codes().To(DType.Float32);
        var y = Labels().To(DType.Float32);
        Assert.Equal(1.7261054308967712, new HybridHashLoss(Centers, new() { Alpha = 0.5, Beta = 2, Lambda = 0.1, Negatives = NegativeMining.Hardest }).Compute(u, y).Total.ItemDouble(), 1e-5);
        Assert.True(double.IsFinite(new CsqLoss(Centers).Compute(Torch.OnesLike(u), y).Total.ItemDouble())); // saturated codes stay finite
    }

    public static IEnumerable<object[]> Losses() =>
    [
        ["hybrid-hardest"], ["hybrid-all"], ["csq"], ["hashnet"], ["dpsh"],
    ];

    private static Tensor Loss(string which, Tensor u, Tensor y) => which switch
    {
        "hybrid-hardest" => new HybridHashLoss(Centers, new() { Alpha = 0.5, Beta = 2, Lambda = 0.1, Negatives = NegativeMining.Hardest }).Compute(u, y).Total,
        "hybrid-all" => new HybridHashLoss(Centers, new() { Negatives = NegativeMining.All }).Compute(u, y).Total,
        "csq" => new CsqLoss(Centers, 0.5).Compute(u, y).Total,
        "hashnet" => new HashNetLoss(new HashNetOptions { InitialBeta = 1.5 }).Compute(u, y).Total,
        "dpsh" => new DpshLoss(0.1).Compute(u, y).Total,
        _ => throw new ArgumentException(which),
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void GradientsMatchFiniteDifferences(string which)
    {
        // Codes strictly inside (−1, 1) and away from 0, as tanh outputs; labels are constants (not differentiated).
        var rng = new Random(5);
        var u = Enumerable.Range(0, B * K).Select(_ => (0.2 + 0.6 * rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1)).ToArray();
        GradCheck.Check(ts => Loss(which, ts[0], Labels()), [(u, new long[] { B, K })]);
    }

    [Fact]
    public void CenterHeadKeepsTheCentersInItsStateDict()
    {
        using var scope = Torch.NewScope();
        using var head = new CenterHashHead(new DchModel(5, R, K), Centers.ToTensor());
        var state = head.StateDict();
        Assert.Equal(C, state["centers"].ToFloatArray());
        Assert.Contains("head.hash_layer.weight", state.Keys);
        Assert.Equal(K, head.Encode(Torch.Ones([2, 5])).Shape[1]);
    }
}
