using System.Runtime.InteropServices;
using Lah.Tests;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Lah.Data.Tests;

public class TransformTests
{
    [Fact]
    public void Multiscale_crop_pairs_and_offsets_follow_the_official_rule()
    {
        var msc = new MultiScaleCrop(448);
        var pairs = msc.CropPairs(500, 375);
        // sizes int(375·s) = 375, 328, 281, 247, 187; |i−j| ≤ 2 gives 5+4+4+3+3 = 19 pairs.
        Assert.Equal(19, pairs.Count);
        Assert.Contains((375, 375), pairs);
        Assert.Contains((187, 281), pairs);
        Assert.DoesNotContain((187, 328), pairs);
        // Snap to the target within 3 px: a 450-px short side gives 448.
        Assert.Contains((448, 448), msc.CropPairs(600, 450));
        var offsets = MultiScaleCrop.FixedOffsets(500, 375, 247, 187);
        Assert.Equal(13, offsets.Count);
        Assert.Equal(13, offsets.Distinct().Count());
        Assert.Contains((252, 188), offsets); // (4·63, 4·47)
    }

    [Fact]
    public void Crops_stay_inside_the_image_for_any_seed()
    {
        var msc = new MultiScaleCrop(448);
        var rrc = new RandomResizedCrop(224);
        var rng = new Rng(9);
        for (var t = 0; t < 2000; t++)
        {
            int w = rng.NextInt(20, 900), h = rng.NextInt(20, 900);
            foreach (var b in new[] { msc.Sample(w, h, rng), rrc.Sample(w, h, rng) })
                Assert.True(b.X >= 0 && b.Y >= 0 && b.Width > 0 && b.Height > 0 && b.X + b.Width <= w && b.Y + b.Height <= h, $"{b} in {w}x{h}");
        }
    }

    [Fact]
    public void Random_resized_crop_respects_area_and_ratio()
    {
        var rrc = new RandomResizedCrop(224);
        var rng = new Rng(3);
        for (var t = 0; t < 500; t++)
        {
            var b = rrc.Sample(640, 480, rng);
            var area = (double)b.Width * b.Height / (640 * 480);
            Assert.InRange(area, 0.07, 1.0);
            Assert.InRange((double)b.Width / b.Height, 0.74, 1.35);
        }
    }

    [Fact]
    public void Normalisation_writes_chw_with_imagenet_statistics()
    {
        var img = new RgbImage(2, 1, [255, 0, 128, 0, 255, 64]);
        var t = ImageNetNormalize.ToChw(img);
        Assert.Equal(6, t.Length);
        Assert.Equal((1 - 0.485f) / 0.229f, t[0], 5); // R of pixel 0
        Assert.Equal((0 - 0.485f) / 0.229f, t[1], 5); // R of pixel 1
        Assert.Equal((255 / 255f - 0.456f) / 0.224f, t[3], 5); // G of pixel 1
        Assert.Equal((64 / 255f - 0.406f) / 0.225f, t[5], 5); // B of pixel 1
    }

    [Fact]
    public void Flip_mirrors_rows_and_the_train_pipeline_is_seeded()
    {
        var img = new RgbImage(3, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(new byte[] { 7, 8, 9, 4, 5, 6, 1, 2, 3 }, img.FlipHorizontal().Pixels);
        var jpeg = DataFiles.SyntheticJpeg(500, 375, 6);
        var photo = new MemoryImageSource(() => JpegDecoder.Decode(jpeg, "synthetic"));
        var tr = ImageTransform.OfficialTrain(64);
        var a = new float[tr.OutputLength];
        var b = new float[tr.OutputLength];
        tr.Apply(photo, Rng.For(1, 2), a);
        tr.Apply(photo, Rng.For(1, 2), b);
        Assert.Equal(a, b);
        var outputs = Enumerable.Range(0, 8).Select(s => { var o = new float[tr.OutputLength]; tr.Apply(photo, Rng.For(1, (ulong)s), o); return o; });
        Assert.True(outputs.Select(o => o.Sum()).Distinct().Count() > 1);
    }

    [Fact]
    public void Apply_through_thread_buffers_equals_the_step_by_step_pipeline_bit_for_bit()
    {
        // Apply reads crops in place, flips while normalising and reuses one thread's buffers across image sizes; the
        // reference crops, resizes, flips and normalises fresh images. Sizes include crops of exactly the output size
        // (no resize) and images larger and smaller than the previous one (buffer reuse).
        using var dir = TestPaths.NewTempDir();
        var rng = new Rng(21);
        for (var trial = 0; trial < 120; trial++)
        {
            int w = rng.NextInt(20, 160), h = rng.NextInt(20, 160);
            var size = rng.NextInt(4) switch { 0 => Math.Min(w, h), 1 => 16, 2 => 48, _ => rng.NextInt(8, 100) };
            var t = rng.NextInt(5) switch
            {
                0 => ImageTransform.OfficialTrain(size),
                1 => ImageTransform.Warp(size, scaledDecode: rng.NextInt(2) == 0),
                2 => ImageTransform.WarpFlip(size),
                3 => ImageTransform.RandomResized(size),
                _ => ImageTransform.WarpFlip(w == h ? w : size),
            };
            var photo = DataFiles.SyntheticPhoto(w, h, (ulong)trial);
            var jpeg = dir.File($"t{trial}.jpg");
            File.WriteAllBytes(jpeg, JpegEncoder.EncodeRgb(photo));
            var png = dir.File($"t{trial}.png");
            using (var image = Image.LoadPixelData<Rgb24>(photo.Pixels, w, h)) image.SaveAsPng(png);
            foreach (ImageSource source in new ImageSource[]
                         { new MemoryImageSource(() => photo), new FileImageSource(jpeg), new ImageFileSource(jpeg), new ImageFileSource(png) })
            {
                var seed = rng.NextUInt64();
                var expected = ImageNetNormalize.ToChw(t.ApplyPixels(source.Load(t.DecodeHint, t.DecodeHint), new Rng(seed)));
                var got = new float[t.OutputLength];
                t.Apply(source, new Rng(seed), got);
                Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(got.AsSpan())),
                    $"trial {trial}: {t.Name} {size}² of {w}x{h} from {source.GetType().Name}");
            }
        }
    }

    [Fact]
    public void Flipping_while_normalising_mirrors_each_row()
    {
        var img = new RgbImage(3, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        var flipped = new float[18];
        unsafe
        {
            fixed (byte* p = img.Pixels) ImageNetNormalize.ToChw(p, 9, 3, 2, flip: true, flipped);
        }
        Assert.Equal(ImageNetNormalize.ToChw(img.FlipHorizontal()), flipped);
    }

    [Fact]
    public void A_missing_or_corrupt_file_fails_in_Apply_with_its_name()
    {
        using var dir = TestPaths.NewTempDir();
        var jpeg = DataFiles.SyntheticJpeg(320, 240, 1);
        var bad = dir.File("bad.jpg");
        File.WriteAllBytes(bad, jpeg[..(jpeg.Length / 2)]);
        var t = ImageTransform.Warp(16);
        var dst = new float[t.OutputLength];
        Assert.Contains("image not found: /no/such.jpg", Assert.Throws<FileNotFoundException>(() => t.Apply(new FileImageSource("/no/such.jpg"), new Rng(1), dst)).Message);
        Assert.Contains("/no/such.jpg: cannot read", Assert.Throws<DataFormatException>(() => t.Apply(new ImageFileSource("/no/such.jpg"), new Rng(1), dst)).Message);
        Assert.Contains("bad.jpg: corrupt or truncated JPEG", Assert.Throws<DataFormatException>(() => t.Apply(new FileImageSource(bad), new Rng(1), dst)).Message);
        Assert.Contains("bad.jpg: corrupt or truncated JPEG", Assert.Throws<DataFormatException>(() => t.Apply(new ImageFileSource(bad), new Rng(1), dst)).Message);
    }
}
