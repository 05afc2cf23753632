using Lah.Tests;

namespace Lah.Data.Tests;

public class DatasetCheckTests
{
    private static DatasetItem FileItem(string path) => new(Path.GetFileNameWithoutExtension(path), new FileImageSource(path), new MultiLabel([true]));

    /// <summary>A good photo, a symlink to it, and one file of each kind of defect; returns the dataset and the defects' paths.</summary>
    private static (MultiLabelDataset Dataset, string[] Bad, string Truncated) Build(TempDir dir)
    {
        var jpeg = DataFiles.SyntheticJpeg(200, 150, 11);
        var good = dir.File("good.jpg");
        File.WriteAllBytes(good, jpeg);
        var link = dir.File("link.jpg");
        File.CreateSymbolicLink(link, good);
        var missing = dir.File("missing.jpg");
        var empty = dir.File("empty.jpg");
        File.WriteAllBytes(empty, []);
        var png = dir.File("png.jpg");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0]);
        var noFrame = dir.File("noframe.jpg"); // JPEG magic, then garbage: no frame header
        File.WriteAllBytes(noFrame, [0xFF, 0xD8, 0xFF, .. Enumerable.Range(0, 300).Select(i => (byte)(i * 37 % 251))]);
        var truncated = dir.File("truncated.jpg"); // header intact, scan data cut: only a full decode sees it
        File.WriteAllBytes(truncated, jpeg[..(jpeg.Length / 2)]);
        var rendered = new DatasetItem("rendered", new MemoryImageSource(() => throw new InvalidOperationException("not rendered by the check")),
            new MultiLabel([false]));
        var items = new[] { FileItem(good), FileItem(missing), FileItem(link), FileItem(empty), rendered, FileItem(png), FileItem(noFrame), FileItem(truncated) };
        return (new MultiLabelDataset("check", ["a"], items), [missing, empty, png, noFrame], truncated);
    }

    [Fact]
    public void One_error_lists_every_missing_or_unreadable_image_and_nothing_else()
    {
        using var dir = TestPaths.NewTempDir();
        var (ds, bad, truncated) = Build(dir);
        var e = Assert.Throws<DataFormatException>(() => DatasetCheck.Validate(ds, Enumerable.Range(0, ds.Count)));
        Assert.Contains("4 unreadable", e.Message);
        foreach (var b in bad) Assert.Contains(b, e.Message);
        Assert.DoesNotContain(dir.File("good.jpg"), e.Message);
        Assert.DoesNotContain(dir.File("link.jpg"), e.Message);
        Assert.DoesNotContain(truncated, e.Message);

        var problems = DatasetCheck.FindProblems(ds, [7, 6, 5, 3, 1, 1, 0]);
        Assert.Equal([1, 3, 5, 6], problems.Select(p => p.Index));
        Assert.Equal("missing", problems[0].Reason);
        Assert.Equal("empty file", problems[1].Reason);
        Assert.StartsWith("not a JPEG (starts with 89504E47", problems[2].Reason);
        Assert.Contains("not a readable JPEG", problems[3].Reason);
    }

    [Fact]
    public void A_full_decode_also_finds_truncated_scan_data()
    {
        using var dir = TestPaths.NewTempDir();
        var (ds, _, truncated) = Build(dir);
        Assert.Empty(DatasetCheck.FindProblems(ds, [0, 2, 7]));
        var p = Assert.Single(DatasetCheck.FindProblems(ds, [0, 2, 7], decode: true));
        Assert.Equal(truncated, p.Path);
        Assert.Contains("corrupt or truncated", p.Reason);
    }

    [Fact]
    public void Good_items_pass_and_indices_outside_the_dataset_are_rejected()
    {
        using var dir = TestPaths.NewTempDir();
        var (ds, _, _) = Build(dir);
        DatasetCheck.Validate(ds, [0, 2, 4], decode: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetCheck.Validate(ds, [0, ds.Count]));
    }

    [Fact]
    public void A_long_list_is_cut_with_a_count()
    {
        using var dir = TestPaths.NewTempDir();
        var items = Enumerable.Range(0, 25).Select(i => FileItem(dir.File($"m{i:D2}.jpg")));
        var ds = new MultiLabelDataset("gone", ["a"], items);
        var e = Assert.Throws<DataFormatException>(() => DatasetCheck.Validate(ds, Enumerable.Range(0, 25)));
        Assert.Contains("25 unreadable", e.Message);
        Assert.Contains("m19.jpg", e.Message);
        Assert.DoesNotContain("m20.jpg", e.Message);
        Assert.Contains("and 5 more", e.Message);
    }
}
