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
        // Seeds differing only in their high 32 bits are different seeds.
        Assert.NotEqual(HashCenters.Generate(24, 48, 3).Codes, HashCenters.Generate(24, 48, 3 | (1UL << 32)).Codes);
    }

    private static string Bits(IEnumerable<float> v) => string.Concat(v.Select(x => x > 0 ? '1' : '0'));

    /// <summary>
    /// Centers and CSQ's fill come from the seed alone through Lah.Data.Rng, bit-exact on every machine: pinned to an
    /// independent Python peer (Fixtures/hash_centers.py), so a change of stream (which would silently change every
    /// recorded CSQ/hybrid result for that seed) fails here.
    /// </summary>
    [Fact]
    public void RandomCentersAndCsqFillArePinnedToTheirSeed()
    {
        var s = HashCenters.Generate(24, 48, 3);
        Assert.Equal("random", s.Method);
        Assert.Equal("000000011110110110111001001010100110001101101101", Bits(s.Codes.Take(48)));
        Assert.Equal("110011100101011011011101000101000100001011100011", Bits(s.Codes.Skip(23 * 48)));
        Assert.Equal("0101010101010000111111011111011011111001111011101000011100110000",
            Bits(CsqLoss.RandomFill(HashCenters.Generate(24, 64, 3))));
    }

    [Fact]
    public void CsqFillIsSeededByTheCentersSeedOnAStreamOfItsOwn()
    {
        var a = HashCenters.Generate(24, 64, 3);
        var fill = CsqLoss.RandomFill(a);
        Assert.Equal(64, fill.Length);
        Assert.All(fill, v => Assert.True(v is 1f or -1f));
        Assert.Equal(fill, CsqLoss.RandomFill(HashCenters.Generate(24, 64, 3)));
        Assert.Equal(fill, new CsqLoss(a).Fill);
        Assert.NotEqual(fill, CsqLoss.RandomFill(HashCenters.Generate(24, 64, 4)));
        Assert.InRange(fill.Count(v => v > 0), 16, 48); // fair coin flips, not a constant
        // Not a copy of a center: the fill has its own stream.
        var rows = Enumerable.Range(0, 24).Select(r => a.Codes.Skip(r * 64).Take(64).ToArray());
        Assert.DoesNotContain(rows, r => r.SequenceEqual(fill));
    }
}
