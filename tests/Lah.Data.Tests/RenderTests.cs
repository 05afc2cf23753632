using System.Text.Json;
using Lah.Tests;

namespace Lah.Data.Tests;

/// <summary>
/// `lah data render`'s library side: the embedded scenes written in the official layouts read back through the
/// readers of the real downloads as exactly the label rows rendered (difficult flags included), with their splits.
/// </summary>
public class RenderTests
{
    private static RenderOptions Options(int count, int size = 32) => new() { Count = count, Size = size };

    /// <summary>The rendered scenes a reader must give back, in its order: (id, VOC-style signed labels).</summary>
    private static (string Id, sbyte[] Labels)[] Expected(RenderPlan plan, bool labelledOnly = false) =>
        plan.Rendered.Where(i => !labelledOnly || plan.Scenes[i].Labels.PositiveCount > 0)
            .Select(i => (plan.Ids[i], plan.Scenes[i].Labels.ToSigned())).ToArray();

    private static (string Id, sbyte[] Labels)[] Read(IMultiLabelDataset d) =>
        Enumerable.Range(0, d.Count).Select(i => (d[i].Id, d[i].Labels.ToSigned())).ToArray();

    private static void AssertSame((string Id, sbyte[] Labels)[] expected, (string Id, sbyte[] Labels)[] actual)
    {
        Assert.Equal(expected.Select(e => e.Id), actual.Select(a => a.Id));
        for (var i = 0; i < expected.Length; i++) Assert.True(expected[i].Labels.SequenceEqual(actual[i].Labels), $"labels of {expected[i].Id}");
    }

    [Fact]
    public void Scene_objects_are_drawn_with_the_same_pixels_and_one_per_label()
    {
        var rows = new[]
        {
            new MultiLabel([true, false, true, false], [false, true, false, false]),
            new MultiLabel([false, false, false, true]),
        };
        var s = new SyntheticScenes("t", ["a", "b", "c", "d"], rows, 7, 48);
        for (var i = 0; i < rows.Length; i++)
        {
            var (image, objects) = s.RenderScene(i);
            Assert.Equal(s[i].Image.Load().Pixels, image.Pixels);
            var labelled = Enumerable.Range(0, 4).Where(c => rows[i].Positive[c] || rows[i].Difficult[c]).ToArray();
            Assert.Equal(labelled, objects.Select(o => o.Label));
            foreach (var o in objects)
            {
                Assert.Equal(rows[i].Difficult[o.Label], o.Difficult);
                Assert.InRange(o.XMin, 0, o.XMax);
                Assert.InRange(o.YMin, 0, o.YMax);
                Assert.InRange(o.XMax, o.XMin, 47);
                Assert.InRange(o.YMax, o.YMin, 47);
            }
        }
        // A positive glyph's box holds its colour (drawn after the clutter; nothing else at default difficulty covers it whole).
        var (img, objs) = s.RenderScene(1);
        var (_, colour) = s.Glyph(3);
        var box = objs.Single();
        var hits = 0;
        for (var y = box.YMin; y <= box.YMax; y++)
            for (var x = box.XMin; x <= box.XMax; x++)
                if (img.Pixels.AsSpan(img.Offset(x, y), 3).SequenceEqual(colour)) hits++;
        Assert.True(hits > 0);
    }

    [Fact]
    public void Voc_render_reads_back_as_the_rendered_rows_with_difficult_flags_and_trainval_test()
    {
        using var dir = TestPaths.NewTempDir();
        var plan = DatasetRenderer.Plan("voc2007", Options(20));
        var summary = DatasetRenderer.Render("voc2007", dir.Path, Options(20));
        Assert.Equal(new[] { new RenderedPart("trainval", 20), new RenderedPart("test", 20) }, summary.Parts);
        Assert.Equal(40 * 2 + 2 + 40, summary.Files);
        var expected = Expected(plan);
        Assert.Contains(expected, e => e.Labels.Contains((sbyte)0)); // the fixture exercises difficult flags

        var pool = DatasetRoot.Load("voc2007", dir.Path);
        Assert.Equal(PoolSource.VocDevkit, pool.Source);
        Assert.Equal(20, pool.TrainCount);
        AssertSame(expected, Read(pool.Pool));
        Assert.Equal(Voc2007.Labels, pool.Pool.LabelNames);
        // The per-class lists say the same (LoadDevkit compares them too), and the pixels are the scenes'.
        AssertSame(expected[20..], Read(Voc2007.ReadClassImageSets(DatasetRoot.VocDevkit(dir.Path), "test")));
        var first = plan.Parts[0].Scenes[0];
        var decoded = pool.Pool[0].Image.Load();
        var scene = plan.Scenes[first].Image.Load();
        Assert.Equal((32, 32), (decoded.Width, decoded.Height));
        Assert.True(decoded.Pixels.Zip(scene.Pixels, (a, b) => Math.Abs(a - b)).Average() < 4, "JPEG far from the scene");

        var paper = Splits.ForPool("voc2007", DatasetRoot.PaperProtocol("voc2007"), pool, 1);
        Assert.Equal(SplitNames.DchDevkit, paper.Protocol);
        Assert.Equal(Enumerable.Range(0, 20), paper.Train);
        Assert.Equal(Enumerable.Range(20, 20), paper.Query);
        Assert.Equal(paper.Train, paper.Database);
        var official = Splits.ForPool("voc2007", SplitNames.LahDevkit, pool, 1);
        Assert.True(official.LeaveOneOut);
        Assert.Equal(official.Query, official.Database);
        Assert.Throws<ArgumentException>(() => Splits.ForPool("voc2007", SplitNames.DchTrainvalTest, pool, 1));
    }

    [Fact]
    public void Voc_xml_carries_name_difficult_and_a_one_based_box()
    {
        using var dir = TestPaths.NewTempDir();
        var plan = DatasetRenderer.Plan("voc2007", Options(20));
        DatasetRenderer.Render("voc2007", dir.Path, Options(20));
        var i = plan.Rendered.First(k => plan.Scenes[k].Labels.Difficult.Any(d => d));
        var objects = plan.Scenes.RenderScene(i).Objects;
        var file = Path.Combine(DatasetRoot.VocDevkit(dir.Path), "Annotations", plan.Ids[i] + ".xml");
        var bytes = File.ReadAllBytes(file);
        Assert.Equal((byte)'<', bytes[0]); // no BOM, no declaration: as VOC's files
        Assert.Equal((byte)'\n', bytes[^1]);
        var doc = new System.Xml.XmlDocument();
        doc.Load(file);
        Assert.Equal(plan.Ids[i] + ".jpg", doc.SelectSingleNode("/annotation/filename")!.InnerText);
        Assert.Equal("32", doc.SelectSingleNode("/annotation/size/width")!.InnerText);
        var xml = doc.SelectNodes("/annotation/object")!.Cast<System.Xml.XmlNode>().ToArray();
        Assert.Equal(objects.Count, xml.Length);
        for (var k = 0; k < xml.Length; k++)
        {
            Assert.Equal(Voc2007.Labels[objects[k].Label], xml[k]["name"]!.InnerText);
            Assert.Equal(objects[k].Difficult ? "1" : "0", xml[k]["difficult"]!.InnerText);
            Assert.Equal((objects[k].XMin + 1).ToString(), xml[k]["bndbox"]!["xmin"]!.InnerText);
            Assert.Equal((objects[k].YMax + 1).ToString(), xml[k]["bndbox"]!["ymax"]!.InnerText);
        }
    }

    [Fact]
    public void Coco_render_reads_back_with_cocos_category_ids_and_the_dch_split_scaled()
    {
        using var dir = TestPaths.NewTempDir();
        var plan = DatasetRenderer.Plan("coco2014", Options(6));
        DatasetRenderer.Render("coco2014", dir.Path, Options(6));
        var expected = Expected(plan);
        Assert.All(expected[..6], e => Assert.StartsWith("COCO_train2014_", e.Id));
        Assert.All(expected[6..], e => Assert.StartsWith("COCO_val2014_", e.Id));

        var pool = DatasetRoot.Load("coco2014", dir.Path);
        Assert.Equal(PoolSource.CocoInstances, pool.Source);
        Assert.Equal(6, pool.TrainCount);
        AssertSame(expected, Read(pool.Pool));
        Assert.Equal(LabelFiles.ReadNames(Path.Combine(DataPaths.LahLabelDirectory("coco2014"), "labels.txt")), pool.Pool.LabelNames);
        Assert.True(File.Exists(Path.Combine(DatasetRoot.CocoFolder(dir.Path), "train2014", expected[0].Id + ".jpg")));

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DatasetRoot.CocoAnnotations(dir.Path), "instances_val2014.json")));
        var cats = json.RootElement.GetProperty("categories").EnumerateArray().ToArray();
        Assert.Equal(80, cats.Length);
        Assert.Contains(cats, c => c.GetProperty("id").GetInt32() == 90 && c.GetProperty("name").GetString() == "toothbrush");
        var anns = json.RootElement.GetProperty("annotations").EnumerateArray().ToArray();
        Assert.Equal(expected[6..].Sum(e => e.Labels.Count(v => v == 1)), anns.Length);
        Assert.All(anns, a => Assert.Equal(4, a.GetProperty("bbox").GetArrayLength()));

        // DCH's 5,000 / 10,000 of 122,218, scaled to a pool of 12: at least one of each.
        var dch = Splits.ForPool("coco2014", DatasetRoot.PaperProtocol("coco2014"), pool, 3);
        Assert.Equal(SplitNames.DchFull, dch.Protocol);
        Assert.Equal((1, 1), (dch.Query.Length, dch.Train.Length));
        Assert.Equal(11, dch.Database.Length);
    }

    [Fact]
    public void Mirflickr_render_reads_back_the_labelled_images_and_draws_scaled_random_queries()
    {
        using var dir = TestPaths.NewTempDir();
        var plan = DatasetRenderer.Plan("mirflickr25k", Options(300));
        var summary = DatasetRenderer.Render("mirflickr25k", dir.Path, Options(300));
        Assert.Equal(300, summary.Images);
        Assert.True(File.Exists(Path.Combine(DatasetRoot.MirflickrFolder(dir.Path), "im300.jpg")));
        var expected = Expected(plan, labelledOnly: true);
        Assert.Equal(294, expected.Length); // 6 of im1..im300 carry none of the 24 labels, as in the release

        var pool = DatasetRoot.Load("mirflickr25k", dir.Path);
        Assert.Equal(PoolSource.MirflickrAnnotations, pool.Source);
        AssertSame(expected, Read(pool.Pool));
        Assert.Equal(Mirflickr25k.Labels, pool.Pool.LabelNames);
        var ann = DatasetRoot.MirflickrAnnotations(dir.Path);
        Assert.Equal(24 + 14 + 1, Directory.GetFiles(ann).Length);
        Assert.Equal(File.ReadAllLines(Path.Combine(ann, "dog.txt")), File.ReadAllLines(Path.Combine(ann, "dog_r1.txt")));
        AssertSame(expected, Read(Mirflickr25k.ReadAnnotations(DatasetRoot.MirflickrFolder(dir.Path), ann, relevantOnly: false)));

        // 2,000 / 10,000 of 24,581 in proportion: 2000·294/24581 = 23.9, 10000·294/24581 = 119.6.
        var p = pool.Pool.Count;
        var split = Splits.ForPool("mirflickr25k", DatasetRoot.PaperProtocol("mirflickr25k"), pool, 5);
        Assert.Equal(SplitNames.DchAnnotations, split.Protocol);
        Assert.Equal((24, 120), (split.Query.Length, split.Train.Length));
        Assert.Equal(p - split.Query.Length, split.Database.Length);
        Assert.Empty(split.Query.Intersect(split.Database));
    }

    [Fact]
    public void A_subset_is_the_first_scenes_of_each_part_byte_for_byte()
    {
        using var small = TestPaths.NewTempDir();
        using var large = TestPaths.NewTempDir();
        DatasetRenderer.Render("voc2007", small.Path, Options(3));
        DatasetRenderer.Render("voc2007", large.Path, Options(5));
        var a = DatasetRoot.Load("voc2007", small.Path);
        var b = DatasetRoot.Load("voc2007", large.Path);
        Assert.Equal((3, 5), (a.TrainCount, b.TrainCount));
        int[] bIndex = [0, 1, 2, 5, 6, 7];
        for (var i = 0; i < a.Pool.Count; i++)
        {
            Assert.Equal(a.Pool[i].Id, b.Pool[bIndex[i]].Id);
            Assert.Equal(File.ReadAllBytes(((FileImageSource)a.Pool[i].Image).Path), File.ReadAllBytes(((FileImageSource)b.Pool[bIndex[i]].Image).Path));
            var xml = Path.Combine("Annotations", a.Pool[i].Id + ".xml");
            Assert.Equal(File.ReadAllText(Path.Combine(DatasetRoot.VocDevkit(small.Path), xml)), File.ReadAllText(Path.Combine(DatasetRoot.VocDevkit(large.Path), xml)));
        }
    }

    [Fact]
    public void Per_part_counts_and_a_count_beyond_a_part_take_what_there_is()
    {
        var o = new RenderOptions { PartCounts = new Dictionary<string, int> { ["trainval"] = 4, ["test"] = 2 } };
        var plan = DatasetRenderer.Plan("voc2007", o);
        Assert.Equal([4, 2], plan.Parts.Select(p => p.Scenes.Length));
        var all = DatasetRenderer.Plan("voc2007", new RenderOptions { Count = 1_000_000 });
        Assert.Equal([5011, 4952], all.Parts.Select(p => p.Scenes.Length));
        var coco = DatasetRenderer.Plan("coco2014", new RenderOptions());
        Assert.Equal([10044, 4956], coco.Parts.Select(p => p.Scenes.Length));
        var flickr = DatasetRenderer.Plan("mirflickr25k", new RenderOptions());
        Assert.Equal(25000, flickr.Parts.Single().Scenes.Length);
        Assert.Equal(24581, flickr.Rendered.Count(i => flickr.Scenes[i].Labels.PositiveCount > 0));
    }

    [Fact]
    public void The_lah_list_route_reads_the_same_rendered_images_where_its_lists_name_only_them()
    {
        using var dir = TestPaths.NewTempDir();
        using var labels = TestPaths.NewTempDir();
        DatasetRenderer.Render("voc2007", dir.Path, Options(8));
        var shipped = DataPaths.LahLabelDirectory("voc2007");
        foreach (var f in new[] { "classification_trainval.csv", "classification_test.csv" })
            File.WriteAllLines(labels.File(f), File.ReadLines(Path.Combine(shipped, f)).Take(1 + 8));
        var viaLists = DatasetRoot.LoadForProtocol("voc2007", SplitNames.LahOfficial, dir.Path, labels.Path);
        var viaDevkit = DatasetRoot.LoadForProtocol("voc2007", SplitNames.DchDevkit, dir.Path, labels.Path);
        Assert.Equal(PoolSource.LahFiles, viaLists.Source);
        Assert.Equal(PoolSource.VocDevkit, viaDevkit.Source);
        AssertSame(Read(viaDevkit.Pool), Read(viaLists.Pool));
        DatasetCheck.Validate(viaLists.Pool, Enumerable.Range(0, viaLists.Pool.Count));

        // The shipped lists name 9,963 images; a subset lacks most: the header check says which, before training.
        var full = DatasetRoot.LoadForProtocol("voc2007", SplitNames.LahOfficial, dir.Path, shipped);
        var e = Assert.Throws<DataFormatException>(() => DatasetCheck.Validate(full.Pool, Enumerable.Range(0, full.Pool.Count)));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Render_refuses_a_folder_that_is_not_empty()
    {
        using var dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(DatasetRoot.MirflickrFolder(dir.Path));
        File.WriteAllText(Path.Combine(DatasetRoot.MirflickrFolder(dir.Path), "im1.jpg"), "mine");
        var e = Assert.Throws<IOException>(() => DatasetRenderer.Render("mirflickr25k", dir.Path, Options(2)));
        Assert.Contains(DatasetRoot.MirflickrFolder(dir.Path), e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(DatasetRoot.MirflickrFolder(dir.Path), "im1.jpg")));
    }

    [Fact]
    public void Coco_categories_are_the_80_of_the_lah_labels()
    {
        var names = LabelFiles.ReadNames(Path.Combine(DataPaths.LahLabelDirectory("coco2014"), "labels.txt"));
        Assert.Equal(names.Order(StringComparer.Ordinal), CocoCategories.All.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal(80, CocoCategories.All.Select(c => c.Id).Distinct().Count());
        Assert.Equal((1, 90), (CocoCategories.All[0].Id, CocoCategories.All[^1].Id));
        Assert.Equal("tv", CocoCategories.ById(72)!.Name);
        Assert.Null(CocoCategories.ById(12));
    }
}
