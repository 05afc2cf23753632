using Lah.Tests;

namespace Lah.Data.Tests;

/// <summary>
/// The up-front checks of a data root: each disagreement between the annotation files and the images, and each
/// unreadable image, is one line naming the file, before any training.
/// </summary>
public class DatasetRootCheckTests
{
    private static string Render(TempDir dir, string dataset, int count)
    {
        DatasetRenderer.Render(dataset, dir.Path, new RenderOptions { Count = count });
        return dir.Path;
    }

    private static DataFormatException LoadFails(string dataset, string root, string namedFile)
    {
        var e = Assert.Throws<DataFormatException>(() => DatasetRoot.Load(dataset, root));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(namedFile, e.Message);
        return e;
    }

    [Fact]
    public void Voc_a_listed_image_that_is_missing()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "voc2007", 3);
        var test = File.ReadAllLines(Path.Combine(DatasetRoot.VocDevkit(root), "ImageSets", "Main", "test.txt"));
        var jpg = Path.Combine(DatasetRoot.VocDevkit(root), "JPEGImages", test[1] + ".jpg");
        File.Delete(jpg);
        var e = LoadFails("voc2007", root, jpg);
        Assert.Contains("missing (listed in", e.Message);
        Assert.Contains("test.txt", e.Message);
    }

    [Fact]
    public void Voc_a_listed_annotation_that_is_missing()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "voc2007", 3);
        var xml = Directory.GetFiles(Path.Combine(DatasetRoot.VocDevkit(root), "Annotations")).Order().First();
        File.Delete(xml);
        LoadFails("voc2007", root, xml);
    }

    [Fact]
    public void Voc_an_image_without_annotation()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "voc2007", 3);
        var images = Path.Combine(DatasetRoot.VocDevkit(root), "JPEGImages");
        var extra = Path.Combine(images, "999999.jpg");
        File.Copy(Directory.GetFiles(images)[0], extra);
        var e = LoadFails("voc2007", root, extra);
        Assert.Contains("without annotation", e.Message);
    }

    [Fact]
    public void Voc_a_per_class_list_that_disagrees_with_the_xml()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "voc2007", 3);
        var list = Path.Combine(DatasetRoot.VocDevkit(root), "ImageSets", "Main", "person_trainval.txt");
        var lines = File.ReadAllLines(list);
        lines[0] = lines[0][..^2] + (lines[0].EndsWith(" 1", StringComparison.Ordinal) ? "-1" : " 1");
        File.WriteAllLines(list, lines);
        var e = LoadFails("voc2007", root, list);
        Assert.Contains(lines[0][..6], e.Message);
        Assert.Contains(".xml", e.Message);
    }

    [Fact]
    public void Coco_an_annotated_image_that_is_missing_and_an_image_without_annotation()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "coco2014", 3);
        var val = Path.Combine(DatasetRoot.CocoFolder(root), "val2014");
        var first = Directory.GetFiles(val).Order().First();
        var moved = Path.Combine(val, "COCO_val2014_000000999999.jpg");
        File.Move(first, moved);
        var e = Assert.Throws<DataFormatException>(() => DatasetRoot.Load("coco2014", root));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(first, e.Message);
        Assert.Contains("instances_val2014.json", e.Message);
        Assert.Contains("1 more problem", e.Message);

        File.Move(moved, first);
        File.Copy(first, moved);
        var e2 = LoadFails("coco2014", root, moved);
        Assert.Contains("without annotation", e2.Message);
    }

    [Fact]
    public void Coco_unknown_category_ids_in_annotations_and_in_categories()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "coco2014", 3);
        var json = Path.Combine(DatasetRoot.CocoAnnotations(root), "instances_train2014.json");
        var text = File.ReadAllText(json);
        var at = text.IndexOf("\"category_id\":", StringComparison.Ordinal);
        var end = text.IndexOf(',', at);
        File.WriteAllText(json, text[..at] + "\"category_id\":12" + text[end..]);
        var e = Assert.Throws<DataFormatException>(() => DatasetRoot.Load("coco2014", root));
        Assert.StartsWith(json, e.Message);
        Assert.Contains("category_id 12", e.Message);

        // A "categories" entry that is not COCO's: the id 12 ('street sign') COCO 2014 does not use.
        File.WriteAllText(json, text.Replace("\"id\":13,\"name\":\"stop sign\"", "\"id\":12,\"name\":\"street sign\"", StringComparison.Ordinal));
        var e2 = Assert.Throws<DataFormatException>(() => DatasetRoot.Load("coco2014", root));
        Assert.DoesNotContain('\n', e2.Message);
        Assert.StartsWith(json, e2.Message);
        Assert.Contains("category id 12 ('street sign') is not one of COCO's 80", e2.Message);
    }

    [Fact]
    public void Mirflickr_a_listed_image_that_is_missing()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "mirflickr25k", 20);
        var ann = DatasetRoot.MirflickrAnnotations(root);
        var n = Mirflickr25k.Labels.Select(l => File.ReadAllLines(Path.Combine(ann, l + ".txt"))).First(l => l.Length > 0)[0];
        var jpg = Path.Combine(DatasetRoot.MirflickrFolder(root), $"im{n}.jpg");
        File.Delete(jpg);
        var e = LoadFails("mirflickr25k", root, jpg);
        Assert.Contains("missing (listed in", e.Message);
    }

    [Fact]
    public void Mirflickr_a_missing_label_file_and_a_foreign_one()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "mirflickr25k", 5);
        var ann = DatasetRoot.MirflickrAnnotations(root);
        File.Move(Path.Combine(ann, "sky.txt"), Path.Combine(ann, "skies.txt"));
        var e = LoadFails("mirflickr25k", root, Path.Combine(ann, "sky.txt"));
        Assert.Contains("and 1 more problem", e.Message); // skies.txt
        File.Move(Path.Combine(ann, "skies.txt"), Path.Combine(ann, "sky.txt"));
        File.WriteAllText(Path.Combine(ann, "skies.txt"), "1\n");
        var e2 = LoadFails("mirflickr25k", root, Path.Combine(ann, "skies.txt"));
        Assert.Contains("not one of MIRFLICKR-25K's 24 labels", e2.Message);
    }

    [Fact]
    public void Mirflickr_unlabelled_images_are_not_an_error()
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, "mirflickr25k", 5);
        File.Copy(Path.Combine(DatasetRoot.MirflickrFolder(root), "im1.jpg"), Path.Combine(DatasetRoot.MirflickrFolder(root), "im24999.jpg"));
        var pool = DatasetRoot.Load("mirflickr25k", root);
        Assert.DoesNotContain(Enumerable.Range(0, pool.Pool.Count), i => pool.Pool[i].Id == "24999");
    }

    [Theory]
    [InlineData("voc2007")]
    [InlineData("coco2014")]
    [InlineData("mirflickr25k")]
    public void An_unreadable_jpeg_is_named_before_training(string dataset)
    {
        using var dir = TestPaths.NewTempDir();
        var root = Render(dir, dataset, 6);
        var pool = DatasetRoot.Load(dataset, root);
        var bad = ((FileImageSource)pool.Pool[1].Image).Path;
        File.WriteAllText(bad, "<html>not a photo</html>");
        var e = Assert.Throws<DataFormatException>(() => DatasetCheck.Validate(pool.Pool, Enumerable.Range(0, pool.Pool.Count)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(bad + ": not a JPEG", e.Message);
    }

    [Fact]
    public void A_missing_dataset_folder_names_the_layout()
    {
        using var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<DirectoryNotFoundException>(() => DatasetRoot.Load("coco2014", dir.Path));
        Assert.Contains(DatasetRoot.CocoFolder(dir.Path), e.Message);
        Assert.Contains("instances_{train,val}2014.json", e.Message);
    }
}
