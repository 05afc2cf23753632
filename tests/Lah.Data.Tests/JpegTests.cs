using Lah.Tests;

namespace Lah.Data.Tests;

public class JpegTests
{
    private static RgbImage Gradient(int w, int h)
    {
        var img = new RgbImage(w, h);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var o = img.Offset(x, y);
                img.Pixels[o] = (byte)(x * 255 / (w - 1));
                img.Pixels[o + 1] = (byte)(y * 255 / (h - 1));
                img.Pixels[o + 2] = (byte)((x + y) * 127 / (w + h));
            }
        return img;
    }

    private static double MeanAbsDiff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    [SkippableFact]
    public void All_sample_photos_decode_at_their_header_size()
    {
        foreach (var f in DataFiles.SamplePhotos())
        {
            var bytes = File.ReadAllBytes(f);
            var info = JpegDecoder.ReadInfo(bytes, f);
            var img = JpegDecoder.Decode(bytes, f);
            Assert.Equal((info.Width, info.Height), (img.Width, img.Height));
            Assert.True(img.Width is 500 or 640, f);
            // A real photo is not flat: the channels vary.
            Assert.True(img.Pixels.Distinct().Count() > 100, f);
        }
    }

    [Fact]
    public void Rgb_round_trip_at_quality_100_is_close()
    {
        var src = Gradient(97, 61);
        var jpeg = JpegEncoder.EncodeRgb(src, 100, JpegEncoder.Subsampling444);
        var back = JpegDecoder.Decode(jpeg, "mem");
        Assert.Equal((97, 61), (back.Width, back.Height));
        Assert.True(MeanAbsDiff(src.Pixels, back.Pixels) < 1.5);
    }

    [Fact]
    public void Grayscale_decodes_to_equal_channels()
    {
        var gray = Enumerable.Range(0, 40 * 30).Select(i => (byte)(i % 40 * 6)).ToArray();
        var img = JpegDecoder.Decode(JpegEncoder.EncodeGray(gray, 40, 30, 100), "gray");
        for (var i = 0; i < 40 * 30; i++)
        {
            Assert.Equal(img.Pixels[3 * i], img.Pixels[3 * i + 1]);
            Assert.Equal(img.Pixels[3 * i], img.Pixels[3 * i + 2]);
            Assert.InRange(img.Pixels[3 * i] - gray[i], -4, 4);
        }
    }

    [Fact]
    public void Cmyk_jpeg_decodes_to_rgb()
    {
        // Four flat quadrants: no ink (white), full cyan, full magenta + yellow (red), full black, stored inverted
        // (255 − ink) as Photoshop and PIL write CMYK JPEGs; TurboJPEG adds the Adobe marker that says so.
        const int s = 32;
        var cmyk = new byte[s * s * 4];
        byte[][] inks = [[0, 0, 0, 0], [255, 0, 0, 0], [0, 255, 255, 0], [0, 0, 0, 255]];
        for (var y = 0; y < s; y++)
            for (var x = 0; x < s; x++)
                for (var c = 0; c < 4; c++) cmyk[(y * s + x) * 4 + c] = (byte)(255 - inks[(y / 16) * 2 + x / 16][c]);
        var jpeg = JpegEncoder.EncodeCmyk(cmyk, s, s, 100);
        Assert.Equal(4, JpegDecoder.ReadInfo(jpeg, "cmyk").Colorspace); // YCCK
        Assert.True(JpegDecoder.HasAdobeMarker(jpeg));
        Assert.False(JpegDecoder.HasAdobeMarker(DataFiles.SyntheticJpeg(64, 48, 1))); // a YCbCr JPEG has none
        var img = JpegDecoder.Decode(jpeg, "cmyk");
        void Near(int x, int y, int r, int g, int b)
        {
            var o = img.Offset(x, y);
            Assert.InRange(img.Pixels[o] - r, -8, 8);
            Assert.InRange(img.Pixels[o + 1] - g, -8, 8);
            Assert.InRange(img.Pixels[o + 2] - b, -8, 8);
        }
        Near(8, 8, 255, 255, 255);
        Near(24, 8, 0, 255, 255);
        Near(8, 24, 255, 0, 0);
        Near(24, 24, 0, 0, 0);
    }

    [Fact]
    public void Corrupt_and_truncated_files_are_errors_naming_the_file()
    {
        using var dir = TestPaths.NewTempDir();
        var good = DataFiles.SyntheticJpeg(500, 375, 2);
        Assert.Equal(500, JpegDecoder.Decode(good, "good").Width);
        var truncated = dir.File("truncated.jpg");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => JpegDecoder.DecodeFile(truncated));
        Assert.Contains(truncated, e.Message);
        var garbage = dir.File("garbage.jpg");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        e = Assert.Throws<DataFormatException>(() => JpegDecoder.DecodeFile(garbage));
        Assert.Contains(garbage, e.Message);
        Assert.Throws<FileNotFoundException>(() => JpegDecoder.DecodeFile(dir.File("missing.jpg")));
        // JPEG magic and markers that end before any frame header: TurboJPEG's header read "succeeds" with 0×0.
        byte[] noFrame = [0xFF, 0xD8, 0xFF, .. Enumerable.Range(0, 300).Select(i => (byte)(i * 37 % 251))];
        e = Assert.Throws<DataFormatException>(() => JpegDecoder.ReadInfo(noFrame, "noframe"));
        Assert.Contains("no frame header", e.Message);
    }

    [Fact]
    public void A_failed_decode_does_not_spoil_the_threads_next_image()
    {
        // A header read that stops before the SOS marker used to leave the thread's decompressor mid-stream, so the
        // next, valid file on that thread (a loader worker's next item) failed with "no frame header".
        var good = DataFiles.SyntheticJpeg(64, 48, 3);
        var expected = JpegDecoder.Decode(good, "good").Pixels;
        foreach (var cut in new[] { 200, 20, good.Length / 2 })
        {
            Assert.Throws<DataFormatException>(() => JpegDecoder.Decode(good[..cut], "bad"));
            Assert.Equal(expected, JpegDecoder.Decode(good, "good").Pixels);
            Assert.Equal((64, 48), (JpegDecoder.ReadInfo(good, "good").Width, JpegDecoder.ReadInfo(good, "good").Height));
        }
    }

    [Fact]
    public void Scaled_decoding_covers_the_target_and_matches_a_full_decode()
    {
        using var dir = TestPaths.NewTempDir();
        var f = dir.File("photo.jpg");
        File.WriteAllBytes(f, DataFiles.SyntheticJpeg(500, 375, 3)); // the size of most VOC photos
        var full = JpegDecoder.DecodeFile(f);
        Assert.Equal((full.Width, full.Height), JpegDecoder.ScaledSize(full.Width, full.Height, 448, 448));
        var (w, h) = JpegDecoder.ScaledSize(full.Width, full.Height, 200, 150);
        Assert.True(w >= 200 && h >= 150 && w < full.Width);
        var scaled = JpegDecoder.DecodeFile(f, 200, 150);
        Assert.Equal((w, h), (scaled.Width, scaled.Height));
        // The DCT-domain downscale and a resize of the full decode show the same picture.
        var reference = Resize.Apply(full, w, h);
        Assert.True(MeanAbsDiff(reference.Pixels, scaled.Pixels) < 6, $"{MeanAbsDiff(reference.Pixels, scaled.Pixels)}");
    }

    [Fact]
    public void Decoding_is_thread_safe()
    {
        using var dir = TestPaths.NewTempDir();
        var files = DataFiles.WriteSyntheticJpegs(dir, 12);
        var serial = files.Select(f => JpegDecoder.DecodeFile(f).Pixels).ToArray();
        var parallel = new byte[files.Length][];
        Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = JpegDecoder.DecodeFile(files[i]).Pixels);
        for (var i = 0; i < files.Length; i++) Assert.Equal(serial[i], parallel[i]);
    }
}
