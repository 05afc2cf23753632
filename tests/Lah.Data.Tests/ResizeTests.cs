namespace Lah.Data.Tests;

public class ResizeTests
{
    /// <summary>
    /// Naive reference: each output pixel directly as the 2-D weighted mean of all input pixels under the
    /// (widened when shrinking) triangle kernel, in double precision — no taps, no separable passes.
    /// </summary>
    private static byte[] Naive(RgbImage src, int ow, int oh)
    {
        double sx = (double)src.Width / ow, sy = (double)src.Height / oh;
        double fx = Math.Max(sx, 1), fy = Math.Max(sy, 1);
        var dst = new byte[ow * oh * 3];
        for (var y = 0; y < oh; y++)
            for (var x = 0; x < ow; x++)
            {
                double cx = (x + 0.5) * sx, cy = (y + 0.5) * sy;
                var acc = new double[3];
                double wsum = 0;
                for (var iy = 0; iy < src.Height; iy++)
                {
                    var wy = Math.Max(0, 1 - Math.Abs((iy + 0.5 - cy) / fy));
                    if (wy == 0) continue;
                    for (var ix = 0; ix < src.Width; ix++)
                    {
                        var w = wy * Math.Max(0, 1 - Math.Abs((ix + 0.5 - cx) / fx));
                        if (w == 0) continue;
                        var o = src.Offset(ix, iy);
                        for (var c = 0; c < 3; c++) acc[c] += w * src.Pixels[o + c];
                        wsum += w;
                    }
                }
                for (var c = 0; c < 3; c++) dst[(y * ow + x) * 3 + c] = (byte)Math.Clamp(Math.Round(acc[c] / wsum), 0, 255);
            }
        return dst;
    }

    private static RgbImage Noise(int w, int h, ulong seed)
    {
        var rng = new Rng(seed);
        var img = new RgbImage(w, h);
        for (var i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)rng.NextInt(256);
        return img;
    }

    [Fact]
    public void Fast_resize_equals_the_naive_reference_within_one_level()
    {
        var rng = new Rng(2024);
        for (var t = 0; t < 60; t++)
        {
            int w = rng.NextInt(1, 60), h = rng.NextInt(1, 60), ow = rng.NextInt(1, 70), oh = rng.NextInt(1, 70);
            var src = Noise(w, h, (ulong)t);
            var fast = Resize.Apply(src, ow, oh).Pixels;
            var naive = Naive(src, ow, oh);
            for (var i = 0; i < fast.Length; i++)
                Assert.True(Math.Abs(fast[i] - naive[i]) <= 1, $"{w}x{h}->{ow}x{oh} byte {i}: {fast[i]} vs {naive[i]}");
        }
    }

    [Fact]
    public void Decoded_photo_to_448_matches_the_reference()
    {
        var full = JpegDecoder.Decode(DataFiles.SyntheticJpeg(500, 375, 5), "synthetic");
        var src = full.Crop(100, 80, 160, 120); // keeps the naive O(n²) reference fast
        var fast = Resize.Apply(src, 448, 448).Pixels;
        var naive = Naive(src, 448, 448);
        Assert.True(fast.Zip(naive).All(p => Math.Abs(p.First - p.Second) <= 1));
        var small = Resize.Apply(full, 64, 48).Pixels;
        Assert.True(small.Zip(Naive(full, 64, 48)).All(p => Math.Abs(p.First - p.Second) <= 1));
    }

    [Fact]
    public void Shrinking_antialiases_a_checkerboard_to_grey()
    {
        var img = new RgbImage(64, 64);
        for (var y = 0; y < 64; y++)
            for (var x = 0; x < 64; x++)
                if ((x + y) % 2 == 0) img.Pixels[img.Offset(x, y)] = img.Pixels[img.Offset(x, y) + 1] = img.Pixels[img.Offset(x, y) + 2] = 255;
        var small = Resize.Apply(img, 8, 8);
        Assert.All(small.Pixels, v => Assert.InRange(v, 120, 135)); // point sampling would give 0s and 255s
    }

    [Fact]
    public void Constant_images_stay_constant_and_same_size_is_a_copy()
    {
        var img = new RgbImage(33, 17);
        Array.Fill(img.Pixels, (byte)77);
        Assert.All(Resize.Apply(img, 448, 448).Pixels, v => Assert.Equal(77, v));
        var n = Noise(20, 10, 1);
        Assert.Equal(n.Pixels, Resize.Apply(n, 20, 10).Pixels);
    }
}
