using Lah.Tests;

namespace Lah.Data.Tests;

public class MirflickrTests
{
    [Fact]
    public void Annotation_lists_with_and_without_r1()
    {
        using var dir = TestPaths.NewTempDir();
        var ann = Path.Combine(dir.Path, "mirflickr25k_annotations_v080");
        var img = Path.Combine(dir.Path, "mirflickr");
        Directory.CreateDirectory(ann);
        Directory.CreateDirectory(img);
        File.WriteAllText(Path.Combine(ann, "sky.txt"), "1\n3\n10\n");
        File.WriteAllText(Path.Combine(ann, "sky_r1.txt"), "3\n");
        File.WriteAllText(Path.Combine(ann, "dog.txt"), "3\r\n2\r\n");
        File.WriteAllText(Path.Combine(ann, "README.txt"), "not a label\n");
        foreach (var n in new[] { 1, 2, 3, 4, 10 }) File.WriteAllBytes(Path.Combine(img, $"im{n}.jpg"), []);

        var d = Mirflickr25k.ReadAnnotations(img, ann);
        Assert.Equal(["dog", "sky"], d.LabelNames);
        Assert.Equal(["1", "2", "3", "10"], Enumerable.Range(0, d.Count).Select(i => d[i].Id));
        Assert.Equal(new float[] { 1, 1 }, d[2].Labels.ToMultiHot());
        Assert.Equal(Path.Combine(img, "im10.jpg"), ((FileImageSource)d[3].Image).Path);

        var r1 = Mirflickr25k.ReadAnnotations(img, ann, relevantOnly: true);
        Assert.Equal(["sky"], r1.LabelNames);
        Assert.Equal(["3"], Enumerable.Range(0, r1.Count).Select(i => r1[i].Id));

        var all = Mirflickr25k.ReadAnnotations(img, ann, includeUnlabelled: true);
        Assert.Equal(5, all.Count);
        Assert.Equal(0, all[3].Labels.PositiveCount); // im4 has no label

        File.WriteAllText(Path.Combine(ann, "dog.txt"), "3\nim2\n");
        var e = Assert.Throws<DataFormatException>(() => Mirflickr25k.ReadAnnotations(img, ann));
        Assert.Contains("dog.txt:2", e.Message);
    }
}
