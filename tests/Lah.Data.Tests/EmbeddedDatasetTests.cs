namespace Lah.Data.Tests;

public class EmbeddedDatasetTests
{
    private static readonly Lazy<FashionMnist> Fashion = new(() => FashionMnist.Load("t10k"));

    [Fact]
    public void Fashion_mnist_reads_from_the_debian_package()
    {
        var f = Fashion.Value;
        Assert.Equal(10000, f.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(_ => 1000), Enumerable.Range(0, 10).Select(c => f.Labels.Count(l => l == c)));
        Assert.Equal(9, f.Labels[0]); // the first t10k item is an ankle boot
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load("t10k", "/nonexistent"));
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Mosaic_labels_are_exactly_the_classes_shown_and_pixels_are_the_items()
    {
        var f = Fashion.Value;
        foreach (var grid in new[] { 2, 3 })
        {
            var d = new FashionMosaic(f, 200, 1, grid, scale: 1);
            for (var i = 0; i < d.Count; i++)
            {
                var shown = d.Cells(i).Select(k => (int)f.Labels[k]).Distinct().Order();
                Assert.Equal(shown, Enumerable.Range(0, 10).Where(c => d[i].Labels.Positive[c]));
            }
            var img = d[5].Image.Load();
            Assert.Equal(28 * grid, img.Width);
            var last = d.Cells(5)[grid * grid - 1];
            var o = img.Offset(28 * (grid - 1) + 13, 28 * (grid - 1) + 14);
            Assert.Equal(f.Item(last)[14 * 28 + 13], img.Pixels[o]);
        }
    }

    [Fact]
    public void Outfit_model_has_asymmetric_conditionals()
    {
        var d = new FashionMosaic(Fashion.Value, 4000, 2);
        var c = LabelCooccurrence.FromLabels(d.LabelNames, Enumerable.Range(0, d.Count).Select(i => d[i].Labels).ToArray());
        const int trouser = 1, sneaker = 7, bag = 8, coat = 4;
        var tGivenS = c.Conditional(trouser, sneaker);
        var sGivenT = c.Conditional(sneaker, trouser);
        Assert.True(Math.Abs(tGivenS - sGivenT) > 0.1, $"P(trouser|sneaker)={tGivenS:F3} P(sneaker|trouser)={sGivenT:F3}");
        Assert.True(Math.Abs(c.Conditional(bag, coat) - c.Conditional(coat, bag)) > 0.05);
        Assert.InRange(Enumerable.Range(0, d.Count).Average(i => d[i].Labels.PositiveCount), 2.0, 4.0);
    }

    [Fact]
    public void Embedded_data_is_deterministic_from_the_seed()
    {
        var a = new FashionMosaic(Fashion.Value, 20, 7);
        var b = new FashionMosaic(Fashion.Value, 20, 7);
        Assert.Equal(a[3].Image.Load().Pixels, b[3].Image.Load().Pixels);
        Assert.NotEqual(a.Cells(3), new FashionMosaic(Fashion.Value, 20, 8).Cells(3));
        var s1 = new SyntheticScenes(ScenePreset.Coco, 10, 4, 64);
        var s2 = new SyntheticScenes(ScenePreset.Coco, 10, 4, 64);
        Assert.Equal(s1[7].Image.Load().Pixels, s2[7].Image.Load().Pixels);
        Assert.Equal(s1[7].Labels.Positive, s2[7].Labels.Positive);
    }

    [Theory]
    [InlineData("voc", 20, 1.5)]
    [InlineData("coco", 80, 2.9)]
    [InlineData("mirflickr", 24, 4.7)]
    public void Scene_presets_have_the_label_statistics_of_their_benchmark(string preset, int labels, double mean)
    {
        var d = new SyntheticScenes(ScenePreset.Parse(preset), 3000, 1);
        Assert.Equal(labels, d.LabelNames.Count);
        Assert.Equal(labels, d.LabelNames.Distinct().Count());
        var avg = Enumerable.Range(0, d.Count).Average(i => d[i].Labels.PositiveCount);
        Assert.InRange(avg, mean - 0.2, mean + 0.2);
        Assert.All(Enumerable.Range(0, d.Count), i => Assert.True(d[i].Labels.PositiveCount >= 1));
        // Topics make co-occurrence structured: some pairs co-occur far more often than independence predicts.
        var c = LabelCooccurrence.FromLabels(d.LabelNames, Enumerable.Range(0, d.Count).Select(i => d[i].Labels).ToArray());
        var lift = 0.0;
        for (var i = 0; i < labels; i++)
            for (var j = 0; j < labels; j++)
                if (i != j && c.Nums[i] > 30 && c.Nums[j] > 30)
                    lift = Math.Max(lift, c.Conditional(j, i) / ((double)c.Nums[j] / d.Count));
        Assert.True(lift > 2, $"max lift {lift:F2}");
    }

    [Fact]
    public void Only_the_colours_of_present_glyphs_appear()
    {
        var d = new SyntheticScenes(ScenePreset.Voc, 60, 3, 96);
        for (var i = 0; i < d.Count; i++)
        {
            var px = d[i].Image.Load().Pixels;
            var colours = new HashSet<(byte, byte, byte)>();
            for (var k = 0; k < px.Length; k += 3) colours.Add((px[k], px[k + 1], px[k + 2]));
            for (var c = 0; c < 20; c++)
            {
                var (_, rgb) = d.Glyph(c);
                var key = (rgb[0], rgb[1], rgb[2]);
                var anyUser = Enumerable.Range(0, 20).Any(l => d.Glyph(l).Colour == rgb && (d[i].Labels.Positive[l] || d[i].Labels.Difficult[l]));
                if (!anyUser) Assert.DoesNotContain(key, colours);
            }
            var lastPositive = Enumerable.Range(0, 20).Last(l => d[i].Labels.Positive[l]);
            var last = d.Glyph(lastPositive).Colour; // drawn last among positives, so never fully hidden by them
            Assert.Contains((last[0], last[1], last[2]), colours);
        }
    }

    [Fact]
    public void Real_label_rows_drive_synthetic_pixels()
    {
        var voc = Voc2007.ReadCsv(DataFiles.Lah("voc2007", "classification_test.csv"), "/x");
        var rows = Enumerable.Range(0, 100).Select(i => voc[i].Labels).ToArray();
        var d = new SyntheticScenes("scenes-from-voc", voc.LabelNames, rows, 1, 64);
        Assert.Equal(voc.LabelNames, d.LabelNames);
        for (var i = 0; i < 100; i++) Assert.Equal(voc[i].Labels.ToSigned(), d[i].Labels.ToSigned());
        Assert.Equal(64, d[0].Image.Load().Width);
        Assert.IsType<SyntheticScenes>(EmbeddedDatasets.Create("synthetic-scenes-mirflickr", 5, 1));
        Assert.Throws<ArgumentException>(() => EmbeddedDatasets.Create("imagenet", 5, 1));
    }
}
