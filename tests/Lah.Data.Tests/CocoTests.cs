using System.Text;
using System.Text.Json;
using Lah.Tests;

namespace Lah.Data.Tests;

public class CocoTests
{
    private static readonly (int Id, string Name)[] Categories =
        [(1, "person"), (2, "bicycle"), (3, "car"), (18, "dog"), (44, "bottle"), (90, "toothbrush"), (62, "chair")];

    /// <summary>An instances file of a few MB (crossing the reader's 1 MB buffer) with nested segmentation arrays.</summary>
    private static string WriteInstances(TempDir dir, int images, ulong seed)
    {
        var rng = new Rng(seed);
        var sb = new StringBuilder();
        sb.Append("{\"info\": {\"description\": \"fixture\", \"year\": 2014, \"nested\": {\"id\": 77}}, \"licenses\": [{\"id\": 1, \"name\": \"x\"}], \"images\": [");
        for (var i = 0; i < images; i++)
            sb.Append(i == 0 ? "" : ", ").Append($"{{\"license\": 1, \"file_name\": \"COCO_train2014_{i + 1:D12}.jpg\", \"height\": 480, \"width\": 640, \"id\": {i + 1}}}");
        sb.Append("], \"annotations\": [");
        var first = true;
        for (var i = 0; i < images; i++)
        {
            if (i % 7 == 3) continue; // images without annotations are skipped
            for (var k = rng.NextInt(1, 6); k > 0; k--)
            {
                var cat = Categories[rng.NextInt(Categories.Length)].Id;
                var seg = string.Join(", ", Enumerable.Range(0, 40).Select(j => (j * 1.5).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)));
                sb.Append(first ? "" : ",\n").Append(
                    $"{{\"segmentation\": [[{seg}]], \"area\": 702.1, \"iscrowd\": 0, \"image_id\": {i + 1}, \"bbox\": [1.0, 2.0, 3.0, 4.0], \"category_id\": {cat}, \"id\": {100000 + i * 10 + k}}}");
                first = false;
            }
        }
        sb.Append("], \"categories\": [");
        sb.Append(string.Join(", ", Categories.Select(c => $"{{\"supercategory\": \"s\", \"id\": {c.Id}, \"name\": \"{c.Name}\"}}")));
        sb.Append("]}");
        var path = dir.File("instances_train2014.json");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>Naive reference: the whole document in memory.</summary>
    private static Dictionary<string, HashSet<string>> Reference(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var r = doc.RootElement;
        var cat = r.GetProperty("categories").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt32(), c => c.GetProperty("name").GetString()!);
        var file = r.GetProperty("images").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt32(), c => c.GetProperty("file_name").GetString()!);
        var result = new Dictionary<string, HashSet<string>>();
        foreach (var a in r.GetProperty("annotations").EnumerateArray())
        {
            var f = Path.GetFileNameWithoutExtension(file[a.GetProperty("image_id").GetInt32()]);
            if (!result.TryGetValue(f, out var s)) result[f] = s = [];
            s.Add(cat[a.GetProperty("category_id").GetInt32()]);
        }
        return result;
    }

    [Fact]
    public void Streamed_instances_equal_an_in_memory_parse()
    {
        using var dir = TestPaths.NewTempDir();
        var path = WriteInstances(dir, 4000, 7);
        Assert.True(new FileInfo(path).Length > 3 << 20);
        var d = Coco2014.ReadInstances(path, "/coco/train2014");
        var reference = Reference(path);
        Assert.Equal(reference.Count, d.Count);
        Assert.Equal(Categories.Select(c => c.Name).Order(StringComparer.Ordinal), d.LabelNames);
        for (var i = 0; i < d.Count; i++)
        {
            var names = d.LabelNames.Where((_, c) => d[i].Labels.Positive[c]).ToHashSet();
            Assert.True(reference[d[i].Id].SetEquals(names), d[i].Id);
        }
        Assert.Equal($"/coco/train2014/{d[0].Id}.jpg", ((FileImageSource)d[0].Image).Path);
    }

    [Fact]
    public void Category_id_order_is_an_option()
    {
        using var dir = TestPaths.NewTempDir();
        var path = WriteInstances(dir, 50, 3);
        var byId = Coco2014.ReadInstances(path, "/c", CocoLabelOrder.CategoryId);
        var alpha = Coco2014.ReadInstances(path, "/c");
        Assert.Equal(Categories.OrderBy(c => c.Id).Select(c => c.Name), byId.LabelNames);
        for (var i = 0; i < alpha.Count; i++)
            for (var c = 0; c < alpha.LabelNames.Count; c++)
                Assert.Equal(alpha[i].Labels.Positive[c], byId[i].Labels.Positive[byId.LabelNames.ToList().IndexOf(alpha.LabelNames[c])]);
    }

    [Fact]
    public void Truncated_or_malformed_json_names_the_file()
    {
        using var dir = TestPaths.NewTempDir();
        var path = WriteInstances(dir, 2000, 5);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<DataFormatException>(() => Coco2014.ReadInstances(path, "/c"));
        Assert.Contains(path, e.Message);
        var bad = dir.File("bad.json");
        File.WriteAllText(bad, "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"}], \"annotations\": [{\"image_id\": 1 \"category_id\": 2}]}");
        e = Assert.Throws<DataFormatException>(() => Coco2014.ReadInstances(bad, "/c"));
        Assert.Contains(bad, e.Message);
        Assert.Contains("malformed JSON", e.Message);
    }
}
