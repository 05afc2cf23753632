using Lah.Tests;

namespace Lah.Data.Tests;

public class VocDevkitTests
{
    private static string Xml(params (string Name, int Difficult)[] objects) =>
        "<annotation><folder>VOC2007</folder><size><width>500</width><height>375</height><depth>3</depth></size>" +
        string.Concat(objects.Select(o =>
            $"<object><name>{o.Name}</name><pose>Left</pose><truncated>0</truncated><difficult>{o.Difficult}</difficult>" +
            "<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object>")) +
        "</annotation>";

    private static string MakeDevkit(TempDir dir)
    {
        var root = Path.Combine(dir.Path, "VOCdevkit", "VOC2007");
        Directory.CreateDirectory(Path.Combine(root, "Annotations"));
        Directory.CreateDirectory(Path.Combine(root, "ImageSets", "Main"));
        var objects = new Dictionary<string, (string, int)[]>
        {
            ["000005"] = [("chair", 0), ("chair", 1), ("diningtable", 1)],
            ["000007"] = [("car", 0)],
            ["000009"] = [("horse", 0), ("person", 0), ("person", 1)],
        };
        foreach (var (id, objs) in objects) File.WriteAllText(Path.Combine(root, "Annotations", id + ".xml"), Xml(objs));
        File.WriteAllText(Path.Combine(root, "ImageSets", "Main", "trainval.txt"), "000005\n000007\r\n000009\n");
        foreach (var label in Voc2007.Labels)
        {
            var lines = objects.Select(kv =>
            {
                var o = kv.Value.Where(x => x.Item1 == label).ToArray();
                var v = o.Any(x => x.Item2 == 0) ? " 1" : o.Length > 0 ? " 0" : "-1";
                return $"{kv.Key} {v}";
            });
            File.WriteAllLines(Path.Combine(root, "ImageSets", "Main", $"{label}_trainval.txt"), lines);
        }
        return root;
    }

    [Fact]
    public void Annotations_give_positives_and_difficult_only_labels()
    {
        using var dir = TestPaths.NewTempDir();
        var root = MakeDevkit(dir);
        var d = Voc2007.ReadDevkit(root, "trainval");
        Assert.Equal(["000005", "000007", "000009"], Enumerable.Range(0, 3).Select(i => d[i].Id));
        var chair = 8; var table = 10; var person = 14;
        Assert.True(d[0].Labels.Positive[chair]);
        Assert.False(d[0].Labels.Difficult[chair]); // one non-difficult chair makes it positive
        Assert.True(d[0].Labels.Difficult[table]);
        Assert.False(d[0].Labels.Positive[table]);
        Assert.True(d[2].Labels.Positive[person]);
        Assert.Equal(Path.Combine(root, "JPEGImages", "000007.jpg"), ((FileImageSource)d[1].Image).Path);
    }

    [Fact]
    public void Class_image_sets_agree_with_annotations()
    {
        using var dir = TestPaths.NewTempDir();
        var root = MakeDevkit(dir);
        var a = Voc2007.ReadDevkit(root, "trainval");
        var b = Voc2007.ReadClassImageSets(root, "trainval");
        for (var i = 0; i < a.Count; i++) Assert.Equal(a[i].Labels.ToSigned(), b[i].Labels.ToSigned());
    }

    [Fact]
    public void Malformed_xml_and_unknown_class_name_the_file()
    {
        using var dir = TestPaths.NewTempDir();
        var root = MakeDevkit(dir);
        var xml = Path.Combine(root, "Annotations", "000007.xml");
        File.WriteAllText(xml, "<annotation><object><name>car</name>");
        var e = Assert.Throws<DataFormatException>(() => Voc2007.ReadDevkit(root, "trainval"));
        Assert.Contains(xml, e.Message);
        File.WriteAllText(xml, Xml(("unicorn", 0)));
        e = Assert.Throws<DataFormatException>(() => Voc2007.ReadDevkit(root, "trainval"));
        Assert.Contains("unicorn", e.Message);
        Assert.Contains(xml, e.Message);
    }
}
