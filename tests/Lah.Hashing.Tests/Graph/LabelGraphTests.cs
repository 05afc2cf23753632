using Lah.Hashing.Graph;
using Lah.Tests;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Hashing.Tests.Graph;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public class LabelGraphTests
{
    public static IEnumerable<object[]> Cases() => TestPaths.GoldenCases("lah_");

    [Theory]
    [MemberData(nameof(Cases))]
    public void GenAAndGenAdjReproduceTheOfficialCode(string file)
    {
        using var g = SafeTensorsFile.Open(TestPaths.Golden(file));
        double p = double.Parse(g.Metadata["threshold_p"], System.Globalization.CultureInfo.InvariantCulture);
        double tau = double.Parse(g.Metadata["threshold_tau"], System.Globalization.CultureInfo.InvariantCulture);
        var a = LabelGraph.GenA(g.ReadInt64("input.cooc_nums"), g.ReadInt64("input.cooc_adj"), tau, p);
        GoldenAssert.Close("expected.A", g.ReadFloat32("expected.A"), a.Select(x => (float)x).ToArray());
        var aHat = LabelGraph.GenAdj(a);
        GoldenAssert.Close("expected.A_hat", g.ReadFloat32("expected.A_hat"), aHat.Select(x => (float)x).ToArray());
    }

    // 3 labels: P(1|0) = 0.5 ≥ τ, P(0|1) = 1/4 < τ, P(2|1) = 3/4 ≥ τ, P(1|2) = 3/3.
    private static readonly double[] Nums = [2, 4, 3];
    private static readonly double[] Cooc = [0, 1, 0, 1, 0, 3, 0, 3, 0];

    [Fact]
    public void OfficialVariantScalesColumnsAndAddsTheIdentity()
    {
        var a = LabelGraph.GenA(Nums, Cooc, tau: 0.4, p: 0.3);
        // B = [[0,1,0],[0,0,1],[0,1,0]]: column 1 has two edges, column 2 one.
        double c1 = 0.3 / (2 + 1e-6), c2 = 0.3 / (1 + 1e-6);
        Assert.Equal(new[] { 1, c1, 0, 0, 1, c2, 0, c1, 1 }, a, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void PaperVariantScalesRowsAndPutsOneMinusQOnTheDiagonal()
    {
        var a = LabelGraph.GenA(Nums, Cooc, tau: 0.4, p: 0.2, LabelGraphVariant.Paper);
        Assert.Equal(new[] { 0.8, 0.2, 0, 0, 0.8, 0.2, 0, 0.2, 0.8 }, a, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void TransposedAndSymmetricNormalisationsDifferByTheTranspose()
    {
        double[] a = [1, 2, 0, 0, 1, 0, 3, 0, 1];
        var t = LabelGraph.GenAdj(a, AdjacencyNormalization.Transposed, float32: false);
        var s = LabelGraph.GenAdj(a, AdjacencyNormalization.Symmetric, float32: false);
        double[] d = [1 / Math.Sqrt(3), 1, 1 / Math.Sqrt(4)];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(d[i] * a[i * 3 + j] * d[j], s[i * 3 + j], 12);
                Assert.Equal(d[i] * a[j * 3 + i] * d[j], t[i * 3 + j], 12);
            }
    }

    [Fact]
    public void PaperBinarisationZeroesProbabilitiesEqualToTau()
    {
        // At τ = 0.5, P(1|0) = 0.5 sits exactly on the threshold: the official code keeps it (P ≥ τ), the paper
        // zeroes it (P ≤ τ ↦ 0). P(2|1) = 0.75 and P(1|2) = 1 are edges in both.
        var official = LabelGraph.GenA(Nums, Cooc, tau: 0.5, p: 0.2);
        var paper = LabelGraph.GenA(Nums, Cooc, tau: 0.5, p: 0.2, LabelGraphVariant.Paper);
        Assert.True(official[1] > 0);
        Assert.Equal(new[] { 0.8, 0, 0, 0, 0.8, 0.2, 0, 0.2, 0.8 }, paper, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void PaperNormalisationAddsTheIdentityAndUsesTheDegreeOfAPlusI()
    {
        double[] a = [1, 2, 0, 0, 1, 0, 3, 0, 1];
        // A + I = [[2,2,0],[0,2,0],[3,0,2]], degrees 4, 2, 5: Â_ij = (A + I)_ij / √(d_i d_j).
        double[] expected = [2.0 / 4, 2 / Math.Sqrt(8), 0, 0, 2.0 / 2, 0, 3 / Math.Sqrt(20), 0, 2.0 / 5];
        Assert.Equal(expected, LabelGraph.GenAdj(a, AdjacencyNormalization.Paper, float32: false), new ToleranceComparer(1e-12));
        // The paper's whole pipeline on the 3-label counts: A (diagonal 1 − q) + I, symmetric.
        var paperA = LabelGraph.GenA(Nums, Cooc, tau: 0.4, p: 0.2, LabelGraphVariant.Paper);
        var hat = LabelGraph.GenAdj(paperA, AdjacencyNormalization.Paper, float32: false);
        // A + I = [[1.8,0.2,0],[0,1.8,0.2],[0,0.2,1.8]]: every degree is 2.
        Assert.Equal(new[] { 0.9, 0.1, 0, 0, 0.9, 0.1, 0, 0.1, 0.9 }, hat, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void MismatchedCountsNameTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => LabelGraph.GenA(Nums, new double[4], 0.4, 0.15));
        Assert.Contains("cooccurrence", e.Message);
        Assert.Contains("3×3", e.Message);
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tol;
        public int GetHashCode(double obj) => 0;
    }
}
