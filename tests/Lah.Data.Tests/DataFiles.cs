using Lah.Tests;

namespace Lah.Data.Tests;

/// <summary>
/// Test data: the LAH label files (shipped in data/lah; found through <see cref="DataPaths"/>), the 90 sample
/// photographs (external: $LAH_DATA_DIR or ../shared/data), and photo-like JPEGs made with our own encoder for the
/// decoder tests that need only some real JPEG, so those always run.
/// </summary>
public static class DataFiles
{
    public static string Lah(string dataset, string file) => Path.Combine(DataPaths.LahLabelDirectory(dataset), file);

    /// <summary>The 90 sample photographs; skips the test when they are absent (see <see cref="TestPaths.ExternalData"/>).</summary>
    public static string[] SamplePhotos()
    {
        var dir = TestPaths.ExternalData("jpeg-samples", "the 90 sample photographs (jpeg-samples)");
        var files = Directory.GetFiles(dir, "*.jpg").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal(90, files.Length);
        return files;
    }

    /// <summary>
    /// A deterministic photo-like picture: smooth colour gradients, a few soft discs and mild noise, so JPEG coding
    /// has both low- and high-frequency content to get right.
    /// </summary>
    public static RgbImage SyntheticPhoto(int width, int height, ulong seed)
    {
        var rng = Rng.For(seed, 0x9407);
        var img = new RgbImage(width, height);
        var discs = Enumerable.Range(0, 6).Select(_ => (X: rng.Uniform(0, width), Y: rng.Uniform(0, height),
            R: rng.Uniform(0.08, 0.3) * Math.Min(width, height), C: new[] { rng.NextInt(256), rng.NextInt(256), rng.NextInt(256) })).ToArray();
        double fx = rng.Uniform(2, 6), fy = rng.Uniform(2, 6);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                double u = (double)x / width, v = (double)y / height;
                double[] c = [255 * u, 255 * v, 127.5 * (1 + Math.Sin(fx * u * Math.PI) * Math.Cos(fy * v * Math.PI))];
                foreach (var d in discs)
                {
                    var dist = Math.Sqrt((x - d.X) * (x - d.X) + (y - d.Y) * (y - d.Y));
                    var a = Math.Clamp((d.R - dist) / 4, 0, 1); // a 4-pixel soft edge
                    for (var k = 0; k < 3; k++) c[k] = (1 - a) * c[k] + a * d.C[k];
                }
                var o = img.Offset(x, y);
                for (var k = 0; k < 3; k++) img.Pixels[o + k] = (byte)Math.Clamp(c[k] + rng.Uniform(-6, 6), 0, 255);
            }
        return img;
    }

    /// <summary><see cref="SyntheticPhoto"/> encoded by <see cref="JpegEncoder"/> (4:2:0, as cameras write).</summary>
    public static byte[] SyntheticJpeg(int width, int height, ulong seed, int quality = 90) =>
        JpegEncoder.EncodeRgb(SyntheticPhoto(width, height, seed), quality);

    /// <summary>Writes <paramref name="count"/> synthetic JPEGs of different sizes into <paramref name="dir"/>.</summary>
    public static string[] WriteSyntheticJpegs(TempDir dir, int count)
    {
        var files = new string[count];
        for (var i = 0; i < count; i++)
        {
            files[i] = dir.File($"synthetic_{i:D2}.jpg");
            File.WriteAllBytes(files[i], SyntheticJpeg(320 + 16 * i, 240 + 8 * i, (ulong)i));
        }
        return files;
    }
}
