using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Torch;
using Xunit;

namespace Lah.Hashing.Tests.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public class CauchyHashLossTests
{
    private const int B = 5, K = 6, R = 4;

    private static (double[] U, double[] Y) Sample(int seed)
    {
        var rng = new Random(seed);
        var u = Enumerable.Range(0, B * K).Select(_ => rng.NextDouble() * 1.8 - 0.9).ToArray();
        var y = Enumerable.Range(0, B * R).Select(_ => rng.NextDouble() < 0.4 ? 1.0 : 0.0).ToArray();
        y[0] = 1; // the first row keeps a label
        Array.Clear(y, R, R); // the second row has none: IOU with it is 0
        return (u, y);
    }

    /// <summary>The loss transcribed pair by pair from the definitions, in double.</summary>
    private static (double Total, double Cauchy, double Quant) Reference(double[] u, double[] y, HashLossConfig c)
    {
        double Dot(double[] a, int i, double[] b, int j) => Enumerable.Range(0, K).Sum(k => a[i * K + k] * b[j * K + k]);
        var s = new double[B, B];
        for (int i = 0; i < B; i++)
            for (int j = 0; j < B; j++)
            {
                double inter = Enumerable.Range(0, R).Sum(r => y[i * R + r] * y[j * R + r]);
                double union = Enumerable.Range(0, R).Sum(r => y[i * R + r] + y[j * R + r]) - inter;
                s[i, j] = c.Similarity == SimilarityKind.Original ? Math.Min(inter, 1)
                    : i == j ? 1 : union > 0 ? inter / union : 0;
            }
        double Dist(double[] a, int i, double[] b, int j) => c.Distance == DistanceKind.NormalizedCosine
            ? K / 2.0 * (1 - Dot(a, i, b, j) / Math.Sqrt(Dot(a, i, a, i) * (Dot(b, j, b, j) + 1e-6)) + 1e-6)
            : Dot(a, i, a, i) - 2 * Dot(a, i, b, j) + Dot(b, j, b, j) + 0.001;
        double sumS = 0, sumAbs = 0, offS = 0;
        foreach (var v in s) { sumS += v; sumAbs += Math.Abs(2 * v - 1); }
        for (int i = 0; i < B; i++)
            for (int j = 0; j < B; j++)
                if (i != j) offS += s[i, j];
        double pairs = B * (B - 1.0);
        double ce = 0;
        for (int i = 0; i < B; i++)
            for (int j = 0; j < B; j++)
            {
                if (i == j) continue;
                double p = c.Gamma / (Dist(u, i, u, j) + c.Gamma);
                double w = c.PairWeighting == PairWeighting.Official
                    ? Math.Abs(s[i, j] - 1) + sumAbs / sumS * s[i, j]
                    : s[i, j] * pairs / Math.Max(offS, 1e-12) + (1 - s[i, j]) * pairs / Math.Max(pairs - offS, 1e-12);
                ce += w * (-s[i, j] * Math.Log(p) - (1 - s[i, j]) * Math.Log(1 - p));
            }
        bool sum = c.Reduction == LossReduction.Sum;
        if (!sum) ce /= B * (B - 1);
        var abs = u.Select(Math.Abs).ToArray();
        var ones = Enumerable.Repeat(1.0, K).ToArray();
        var qs = c.Quantization == QuantizationKind.Squared
            ? abs.Select(a => (a - 1) * (a - 1)).ToArray()
            : Enumerable.Range(0, B).Select(i => Math.Log(1 + Dist(abs, i, ones, 0) / c.Gamma)).ToArray();
        double q = sum ? qs.Sum() : qs.Average();
        var (wc, wq) = c.Combination == LossCombination.Official ? (1.0, c.Lambda) : (c.Lambda, 1 - c.Lambda);
        return (wc * ce + wq * q, wc * ce, wq * q);
    }

    public static IEnumerable<object[]> Variants() =>
        from s in new[] { SimilarityKind.Iou, SimilarityKind.Original }
        from d in new[] { DistanceKind.NormalizedCosine, DistanceKind.Euclidean }
        from q in new[] { QuantizationKind.Squared, QuantizationKind.Cauchy }
        from m in new[] { LossCombination.Official, LossCombination.Paper }
        select new object[] { s, d, q, m };

    private static HashLossConfig Config(SimilarityKind s, DistanceKind d, QuantizationKind q, LossCombination m) =>
        new() { Similarity = s, Distance = d, Quantization = q, Combination = m, Gamma = 0.7, Lambda = m == LossCombination.Paper ? 0.3 : 2.0 };

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryVariantMatchesThePairByPairDefinition(SimilarityKind s, DistanceKind d, QuantizationKind q, LossCombination m)
    {
        var c = Config(s, d, q, m);
        var (u, y) = Sample(3);
        using var scope = Torch.NewScope();
        var terms = new CauchyHashLoss(c).Compute(Torch.FromArray(u, B, K), Torch.FromArray(y, B, R));
        var expected = Reference(u, y, c);
        Assert.Equal(expected.Total, terms.Total.ItemDouble(), 1e-9);
        Assert.Equal(expected.Cauchy, terms.Cauchy.ItemDouble(), 1e-9);
        Assert.Equal(expected.Quant, terms.Quantization.ItemDouble(), 1e-9);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void GradientMatchesFiniteDifferences(SimilarityKind s, DistanceKind d, QuantizationKind q, LossCombination m)
    {
        var c = Config(s, d, q, m);
        var (u, y) = Sample(5);
        using var scope = Torch.NewScope();
        var loss = new CauchyHashLoss(c);
        var ut = Torch.FromArray(u, B, K).RequiresGrad_(true);
        var labels = Torch.FromArray(y, B, R);
        loss.Compute(ut, labels).Total.Backward();
        var grad = ut.Grad!.ToDoubleArray();
        const double h = 1e-6;
        foreach (int idx in new[] { 0, 7, 13, 29 })
        {
            var plus = (double[])u.Clone();
            var minus = (double[])u.Clone();
            plus[idx] += h;
            minus[idx] -= h;
            double fd = (Reference(plus, y, c).Total - Reference(minus, y, c).Total) / (2 * h);
            Assert.True(Math.Abs(fd - grad[idx]) <= 1e-6 + 1e-5 * Math.Abs(fd), $"d/du[{idx}]: autograd {grad[idx]}, finite difference {fd}");
        }
    }

    public static IEnumerable<object[]> PaperOptions() =>
        from s in new[] { SimilarityKind.Iou, SimilarityKind.Original }
        from q in new[] { QuantizationKind.Squared, QuantizationKind.Cauchy }
        from w in new[] { PairWeighting.Official, PairWeighting.Paper }
        from r in new[] { LossReduction.Mean, LossReduction.Sum }
        select new object[] { s, q, w, r };

    [Theory]
    [MemberData(nameof(PaperOptions))]
    public void PairWeightingAndReductionMatchThePairByPairDefinition(SimilarityKind s, QuantizationKind q, PairWeighting w, LossReduction r)
    {
        var c = Config(s, DistanceKind.NormalizedCosine, q, LossCombination.Paper) with { PairWeighting = w, Reduction = r };
        var (u, y) = Sample(4);
        using var scope = Torch.NewScope();
        var terms = new CauchyHashLoss(c).Compute(Torch.FromArray(u, B, K), Torch.FromArray(y, B, R));
        var expected = Reference(u, y, c);
        Assert.Equal(expected.Cauchy, terms.Cauchy.ItemDouble(), 1e-9);
        Assert.Equal(expected.Quant, terms.Quantization.ItemDouble(), 1e-9);
    }

    // Three codes with K = 2 under the binary similarity: items 0 and 1 share a label, item 2 shares none.
    // u0 = (1, 1) and u1 = (1, −1) are orthogonal: δ = 1, c = ½, −log c = log 2 (a similar pair, twice).
    // u0 and u2 = (−1, −1) are opposite: δ = 2, c = ⅓, −log(1 − c) = log 1.5; u1 and u2 are orthogonal: log 2
    // (dissimilar pairs, each twice). Off the diagonal |S| = 6, |S_s| = 2, |S_d| = 4.
    private static readonly double[] HandU = [1, 1, 1, -1, -1, -1];
    private static readonly double[] HandY = [1, 0, 1, 0, 0, 1];

    private static double HandCrossEntropy(PairWeighting w, LossReduction r)
    {
        using var scope = Torch.NewScope();
        var c = new HashLossConfig { Similarity = SimilarityKind.Original, PairWeighting = w, Reduction = r };
        return new CauchyHashLoss(c).CrossEntropy(Torch.FromArray(HandU, 3, 2), Torch.FromArray(HandY, 3, 2)).ItemDouble();
    }

    [Fact]
    public void PaperPairWeightsAreAllPairsOverSimilarAndOverDissimilarPairs()
    {
        double similar = 2 * Math.Log(2), dissimilar = 2 * Math.Log(1.5) + 2 * Math.Log(2);
        // Paper: w_s = |S|/|S_s| = 3, w_d = |S|/|S_d| = 1.5.
        Assert.Equal((3 * similar + 1.5 * dissimilar) / 6, HandCrossEntropy(PairWeighting.Paper, LossReduction.Mean), 5);
        Assert.Equal(3 * similar + 1.5 * dissimilar, HandCrossEntropy(PairWeighting.Paper, LossReduction.Sum), 4);
        // Official: the sums run over all 9 entries (Σs = 5 with the diagonal, Σ|2s − 1| = 9): w_s = 9/5, w_d = 1.
        Assert.Equal((1.8 * similar + dissimilar) / 6, HandCrossEntropy(PairWeighting.Official, LossReduction.Mean), 5);
    }

    [Fact]
    public void SummedQuantizationAddsOverEntriesOrCodes()
    {
        // u = [[0.5, −2], [1, 0]]: (|u| − 1)² = 0.25, 1, 0, 1. Cauchy with the normed δ and γ = 1:
        // |u0| = (0.5, 2): cos with 1 = 2.5/(√4.25·√2); |u1| = (1, 0): cos = 1/√2; δ = K/2·(1 − cos).
        double[] u = [0.5, -2, 1, 0];
        double cauchy0 = Math.Log(1 + (1 - 2.5 / (Math.Sqrt(4.25) * Math.Sqrt(2)))), cauchy1 = Math.Log(1 + (1 - 1 / Math.Sqrt(2)));
        using var scope = Torch.NewScope();
        double Q(QuantizationKind q, LossReduction r) =>
            new CauchyHashLoss(new HashLossConfig { Quantization = q, Reduction = r }).Quantization(Torch.FromArray(u, 2, 2)).ItemDouble();
        Assert.Equal(2.25, Q(QuantizationKind.Squared, LossReduction.Sum), 9);
        Assert.Equal(2.25 / 4, Q(QuantizationKind.Squared, LossReduction.Mean), 9);
        Assert.Equal(cauchy0 + cauchy1, Q(QuantizationKind.Cauchy, LossReduction.Sum), 5);
        Assert.Equal((cauchy0 + cauchy1) / 2, Q(QuantizationKind.Cauchy, LossReduction.Mean), 5);
    }

    [Fact]
    public void SumsEqualScaledMeansWithTheRescaledLambda()
    {
        // Sum = B(B − 1)·L_cce + λ_sum·B·K·L_q = B(B − 1)·(L_cce + λ_mean·L_q) when λ_sum = λ_mean·(B − 1)/K (README).
        var (u, y) = Sample(6);
        using var scope = Torch.NewScope();
        double lambdaMean = 2.0, lambdaSum = lambdaMean * (B - 1) / K;
        var mean = new CauchyHashLoss(new HashLossConfig { Lambda = lambdaMean })
            .Compute(Torch.FromArray(u, B, K), Torch.FromArray(y, B, R)).Total.ItemDouble();
        var sum = new CauchyHashLoss(new HashLossConfig { Lambda = lambdaSum, Reduction = LossReduction.Sum })
            .Compute(Torch.FromArray(u, B, K), Torch.FromArray(y, B, R)).Total.ItemDouble();
        Assert.Equal(B * (B - 1) * mean, sum, 9);
    }

    [Fact]
    public void SingleRowBatchIsRejected()
    {
        using var scope = Torch.NewScope();
        var e = Assert.Throws<ArgumentException>(() =>
            new CauchyHashLoss(new HashLossConfig()).Compute(Torch.Zeros([1, K]), Torch.Zeros([1, R])));
        Assert.Contains("at least 2", e.Message);
    }
}
