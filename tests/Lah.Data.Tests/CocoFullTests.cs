using Lah.Tests;

namespace Lah.Data.Tests;

/// <summary>The full-size COCO pool from hand-written instances files, and the named protocols on it.</summary>
public class CocoFullTests
{
    // COCO's ids are not contiguous (1..90 with gaps) and not in name order: columns must follow the names.
    private const string Categories =
        """
        "categories": [{"supercategory": "person", "id": 1, "name": "person"}, {"supercategory": "vehicle", "id": 3, "name": "car"},
          {"supercategory": "animal", "id": 18, "name": "dog"}, {"supercategory": "kitchen", "id": 44, "name": "bottle"},
          {"supercategory": "indoor", "id": 90, "name": "toothbrush"}]
        """;

    // Column order: bottle, car, dog, person, toothbrush.
    private static readonly string[] Alphabetical = ["bottle", "car", "dog", "person", "toothbrush"];

    private static string Image(string set, int id) =>
        $"{{\"license\": 3, \"file_name\": \"COCO_{set}_{id:D12}.jpg\", \"height\": 480, \"width\": 640, \"id\": {id}}}";

    private static string Ann(int id, int image, int cat) =>
        $"{{\"segmentation\": [[1.0, 2.0, 3.5, 4.0]], \"area\": 12.5, \"iscrowd\": 0, \"image_id\": {image}, \"bbox\": [1, 2, 3, 4], \"category_id\": {cat}, \"id\": {id}}}";

    private static string Instances(string set, int[] images, (int Image, int Cat)[] anns) =>
        "{\"info\": {\"year\": 2014, \"version\": \"1.0\"}, \"licenses\": [{\"id\": 3, \"name\": \"cc\"}],\n" +
        $"\"images\": [{string.Join(",\n", images.Select(i => Image(set, i)))}],\n" +
        $"\"annotations\": [{string.Join(",\n", anns.Select((a, k) => Ann(900 + k, a.Image, a.Cat)))}],\n" + Categories + "}";

    /// <summary>
    /// train2014: images 11..16, 13 and 16 without annotations (dropped); val2014: images 21..24, 22 without
    /// annotations. Image 15 has two "person" boxes (one label). Annotations are not grouped by image.
    /// </summary>
    private static string WriteFixture(TempDir dir)
    {
        File.WriteAllText(dir.File("instances_train2014.json"), Instances("train2014", [11, 12, 13, 14, 15, 16],
            [(11, 1), (12, 3), (11, 44), (14, 90), (15, 1), (12, 18), (15, 1), (14, 3)]));
        File.WriteAllText(dir.File("instances_val2014.json"), Instances("val2014", [21, 22, 23, 24],
            [(24, 18), (21, 44), (23, 1), (24, 90)]));
        return dir.Path;
    }

    private static bool[] Row(params string[] labels) => Alphabetical.Select(labels.Contains).ToArray();

    [Fact]
    public void Full_pool_is_annotated_train2014_then_val2014_in_alphabetical_label_order()
    {
        using var dir = TestPaths.NewTempDir();
        var p = LahDatasets.LoadCocoFull(WriteFixture(dir), "/coco");
        Assert.Equal(PoolSource.CocoInstances, p.Source);
        Assert.Equal((4, 3), (p.TrainCount, p.TestCount));
        Assert.Equal(Alphabetical, p.Pool.LabelNames);
        Assert.Equal(
            ["COCO_train2014_000000000011", "COCO_train2014_000000000012", "COCO_train2014_000000000014", "COCO_train2014_000000000015",
             "COCO_val2014_000000000021", "COCO_val2014_000000000023", "COCO_val2014_000000000024"],
            Enumerable.Range(0, p.Pool.Count).Select(i => p.Pool[i].Id));
        bool[][] expected =
        [
            Row("person", "bottle"), Row("car", "dog"), Row("toothbrush", "car"), Row("person"),
            Row("bottle"), Row("person"), Row("dog", "toothbrush"),
        ];
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], p.Pool[i].Labels.Positive);
        Assert.Equal("/coco/train2014/COCO_train2014_000000000011.jpg", ((FileImageSource)p.Pool[0].Image).Path);
        Assert.Equal("/coco/val2014/COCO_val2014_000000000021.jpg", ((FileImageSource)p.Pool[4].Image).Path);
    }

    [Fact]
    public void Named_protocols_on_the_full_pool()
    {
        using var dir = TestPaths.NewTempDir();
        var p = LahDatasets.LoadCocoFull(WriteFixture(dir), "/coco");

        var official = Splits.ForPool("coco2014", SplitNames.LahOfficialFull, p, 5);
        Assert.Equal(SplitNames.LahOfficialFull, official.Protocol);
        Assert.True(official.LeaveOneOut);
        Assert.Equal([0, 1, 2, 3], official.Train);
        Assert.Equal([4, 5, 6], official.Query);
        Assert.Equal(official.Query, official.Database);

        var dch = Splits.ForPool("coco2014", SplitNames.DchFull, p, 5, queries: 2, train: 3);
        Assert.Equal(SplitNames.DchFull, dch.Protocol);
        Assert.False(dch.LeaveOneOut);
        Assert.Equal((2, 5, 3), (dch.Query.Length, dch.Database.Length, dch.Train.Length));
        Assert.Empty(dch.Query.Intersect(dch.Database));
        Assert.Equal(Enumerable.Range(0, 7), dch.Query.Concat(dch.Database).Order());
        Assert.All(dch.Train, t => Assert.Contains(t, dch.Database));

        // The lists protocols are defined on the 15,000 list images, not on this pool.
        var e = Assert.Throws<ArgumentException>(() => Splits.ForPool("coco2014", SplitNames.HashnetLists, p, 5));
        Assert.Contains("lah-files", e.Message);
        Assert.Contains(SplitNames.DchFull, e.Message);
    }

    [Fact]
    public void Dch_full_is_deterministic_for_a_seed_and_depends_on_it()
    {
        var a = Splits.ForDataset("coco2014", SplitNames.DchFull, 500, 300, 11, queries: 50, train: 100);
        var b = Splits.ForDataset("coco2014", SplitNames.DchFull, 500, 300, 11, queries: 50, train: 100);
        var c = Splits.ForDataset("coco2014", SplitNames.DchFull, 500, 300, 12, queries: 50, train: 100);
        Assert.Equal(a.Query, b.Query);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Database, b.Database);
        Assert.NotEqual(a.Query, c.Query);
        Assert.Equal((50, 450, 100), (a.Query.Length, a.Database.Length, a.Train.Length));
    }

    [Fact]
    public void Missing_or_malformed_instances_files_are_named()
    {
        using var dir = TestPaths.NewTempDir();
        WriteFixture(dir);
        var val = dir.File("instances_val2014.json");

        File.WriteAllText(val, File.ReadAllText(val).Replace("\"image_id\": 21,", "\"image_id\": 21"));
        var bad = Assert.Throws<DataFormatException>(() => LahDatasets.LoadCocoFull(dir.Path, "/coco"));
        Assert.Contains(val, bad.Message);
        Assert.Contains("malformed JSON", bad.Message);

        File.WriteAllText(val, Instances("val2014", [21], [(21, 1)]).Replace("\"toothbrush\"", "\"hair drier\""));
        var cats = Assert.Throws<DataFormatException>(() => LahDatasets.LoadCocoFull(dir.Path, "/coco"));
        Assert.Contains(val, cats.Message);
        Assert.Contains("hair drier", cats.Message);

        File.Delete(val);
        var missing = Assert.Throws<FileNotFoundException>(() => LahDatasets.LoadCocoFull(dir.Path, "/coco"));
        Assert.Equal(val, missing.FileName);
        Assert.Contains(val, missing.Message);
    }
}
