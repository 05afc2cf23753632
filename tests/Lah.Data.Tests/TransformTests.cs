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
}
