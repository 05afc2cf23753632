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
        double sumS = 0, sumAbs = 0;
        foreach (var v in s) { sumS += v; sumAbs += Math.Abs(2 * v - 1); }
        double ce = 0;
        for (int i = 0; i < B; i++)
            for (int j = 0; j < B; j++)
            {
                if (i == j) continue;
                double p = c.Gamma / (Dist(u, i, u, j) + c.Gamma);
                double w = Math.Abs(s[i, j] - 1) + sumAbs / sumS * s[i, j];
                ce += w * (-s[i, j] * Math.Log(p) - (1 - s[i, j]) * Math.Log(1 - p));
            }
        ce /= B * (B - 1);
        var abs = u.Select(Math.Abs).ToArray();
        var ones = Enumerable.Repeat(1.0, K).ToArray();
        double q = c.Quantization == QuantizationKind.Squared
            ? abs.Average(a => (a - 1) * (a - 1))
            : Enumerable.Range(0, B).Average(i => Math.Log(1 + Dist(abs, i, ones, 0) / c.Gamma));
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

    [Fact]
    public void SingleRowBatchIsRejected()
    {
        using var scope = Torch.NewScope();
        var e = Assert.Throws<ArgumentException>(() =>
            new CauchyHashLoss(new HashLossConfig()).Compute(Torch.Zeros([1, K]), Torch.Zeros([1, R])));
        Assert.Contains("at least 2", e.Message);
    }
}
