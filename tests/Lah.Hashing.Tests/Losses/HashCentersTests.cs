using Lah.Hashing.Losses;
using Xunit;

namespace Lah.Hashing.Tests.Losses;

public class HashCentersTests
{
    private static sbyte[][] Rows(HashCenterSet s) =>
        Enumerable.Range(0, s.Labels).Select(r => s.Codes.Skip(r * s.Bits).Take(s.Bits).Select(v => (sbyte)v).ToArray()).ToArray();

    public static IEnumerable<object[]> Sizes() =>
        from k in new[] { 8, 12, 16, 24, 32, 48, 64, 100, 128, 256 }
        from r in new[] { 20, 24, 80 }
        where r <= 24 || k >= 16 // 80 labels do not fit 8 or 12 bits at distance K/4 (below)
        select new object[] { k, r };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void CentersAreBalancedFarApartAndReportWhatTheyAchieved(int k, int r)
    {
        var s = HashCenters.Generate(r, k, 7);
        Assert.Equal(r * k, s.Codes.Length);
        Assert.All(s.Codes, v => Assert.True(v is 1f or -1f));
        var rows = Rows(s);
        Assert.Equal(r, rows.Select(x => string.Join(',', x)).Distinct().Count());
        var (min, mean) = HashCenters.Distances(rows, k);
        Assert.Equal((min, mean), (s.MinDistance, s.MeanDistance));
        Assert.True(s.MinDistance >= k / 4.0, $"{s}");
        Assert.True(s.MeanDistance >= k / 2.0, $"{s}");
        if (s.Method == "random")
            Assert.All(rows, x => Assert.Equal(k / 2, x.Count(b => b > 0))); // balanced
        else
            Assert.True(HashCenters.IsPowerOfTwo(k) && 2 * k >= r);
    }

    [Fact]
    public void MoreLabelsThanBalancedCodesIsReportedNotHidden()
    {
        var s = HashCenters.Generate(80, 8, 7);
        Assert.Equal(0, s.MinDistance); // two of the 80 centers coincide: only 70 balanced 8-bit codes exist
        Assert.Contains("min Hamming distance 0", s.ToString());
        // 12 bits: the greedy draw stops short of 80 centers 4 apart (at most 132 exist); it says so.
        var twelve = HashCenters.Generate(80, 12, 7);
        Assert.True(twelve.MinDistance < 3 && twelve.ToString().Contains($"min Hamming distance {twelve.MinDistance}"));
    }

    [Fact]
    public void PowersOfTwoWithEnoughRowsUseHadamardOthersRandom()
    {
        var h = HashCenters.Generate(20, 16, 1);
        Assert.Equal("hadamard", h.Method);
        Assert.Equal(8, h.MinDistance); // distinct Hadamard rows differ in K/2 bits
        Assert.Equal("random", HashCenters.Generate(20, 8, 1).Method); // 2K < R
        Assert.Equal("random", HashCenters.Generate(20, 48, 1).Method);
    }

    [Fact]
    public void SameSeedSameCentersOtherSeedOtherCenters()
    {
        Assert.Equal(HashCenters.Generate(24, 48, 3).Codes, HashCenters.Generate(24, 48, 3).Codes);
        Assert.NotEqual(HashCenters.Generate(24, 48, 3).Codes, HashCenters.Generate(24, 48, 4).Codes);
    }
}
