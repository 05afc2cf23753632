namespace Lah.Data.Tests;

public class EmbeddedDataPinTests
{
    private static ulong Fnv(IEnumerable<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var b in bytes) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    /// <summary>
    /// Regression pins: the embedded data must be the same bytes on every machine (only integer and exact IEEE
    /// arithmetic feed it). If a deliberate change moves these, update them and say so in the commit.
    /// </summary>
    [Fact]
    public void Synthetic_scenes_and_mosaics_are_pinned()
    {
        var s = new SyntheticScenes(ScenePreset.Mirflickr, 4, 42, 64);
        var scenes = Fnv(Enumerable.Range(0, 4).SelectMany(i => s[i].Image.Load().Pixels.Concat(s[i].Labels.Positive.Select(p => p ? (byte)1 : (byte)0))));
        var m = new FashionMosaic(FashionMnist.Load("t10k"), 4, 42);
        var mosaics = Fnv(Enumerable.Range(0, 4).SelectMany(i => m[i].Image.Load().Pixels));
        Assert.Equal((3847591814166593388UL, 12777720098940891493UL), (scenes, mosaics));
    }
}
