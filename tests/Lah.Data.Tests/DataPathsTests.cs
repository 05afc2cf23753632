using System.IO.Compression;
using Lah.Tests;

namespace Lah.Data.Tests;

public class DataPathsTests
{
    private static string RepoData(params string[] parts) => Path.Combine([TestPaths.RepoRoot, "data", .. parts]);

    [Fact]
    public void The_repository_is_found_and_its_data_folder_is_shipped()
    {
        Assert.Equal(TestPaths.RepoRoot, DataPaths.RepositoryRoot);
        Assert.True(DataPaths.IsShipped(RepoData("goldens")));
        Assert.True(DataPaths.IsShipped(RepoData()));
        Assert.False(DataPaths.IsShipped(Path.Combine(TestPaths.RepoRoot, "..", "shared", "goldens")));
        Assert.False(DataPaths.IsShipped(RepoData() + "-other"));
    }

    [Theory]
    [InlineData("voc2007", "classification_trainval.csv")]
    [InlineData("coco2014", "train.txt")] // shipped as train.txt.gz
    [InlineData("mirflickr25k", "train.csv")]
    public void The_label_files_and_vectors_of_every_benchmark_ship_in_the_repository(string dataset, string labels)
    {
        var dir = RepoData("lah", dataset);
        foreach (var f in new[] { labels, "labels.txt", "cooccurrence_lah.json", "wordvec_glove.txt", "wordvec_googlenews.txt", "wordvec_fasttext.txt" })
            Assert.True(DataFile.Exists(Path.Combine(dir, f)), $"{dataset}/{f} is not in data/lah");
        // The resolver finds them (here, or in $LAH_DATA_DIR when that is set).
        Assert.True(DataFile.Exists(Path.Combine(DataPaths.LahLabelDirectory(dataset), labels)));
    }

    [Fact]
    public void Every_shipped_data_file_is_under_2_MB()
    {
        var files = Directory.GetFiles(RepoData(), "*", SearchOption.AllDirectories);
        Assert.True(files.Length >= 25, $"{files.Length} files in data/");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length < 2_000_000, $"{f}: {new FileInfo(f).Length} bytes"));
    }

    [Fact]
    public void The_shipped_goldens_are_found_and_the_large_ones_are_not_shipped()
    {
        Assert.True(DataPaths.FindGoldens("lah_*.safetensors").Count >= 4);
        Assert.True(DataPaths.FindGoldens("metrics_*.safetensors").Count >= 2);
        Assert.Empty(Directory.GetFiles(RepoData("goldens"), "resnet_*"));
    }

    [Fact]
    public void An_unknown_dataset_or_missing_path_is_an_error_naming_it()
    {
        Assert.Contains("imagenet", Assert.Throws<ArgumentException>(() => DataPaths.LahLabelDirectory("imagenet")).Message);
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataPaths.RequireData("no/such/thing"));
        Assert.Contains("no/such/thing", e.Message);
        Assert.Contains(DataPaths.DataDirVariable, e.Message);
    }

    [Fact]
    public void The_search_order_is_variable_then_repository_then_shared_beside_it()
    {
        using var tmp = TestPaths.NewTempDir();
        var repo = Directory.CreateDirectory(Path.Combine(tmp.Path, "clone")).FullName;
        var inRepo = Directory.CreateDirectory(Path.Combine(repo, "data")).FullName;
        var beside = Directory.CreateDirectory(Path.Combine(tmp.Path, "shared", "data")).FullName;
        var env = Directory.CreateDirectory(Path.Combine(tmp.Path, "mine")).FullName;
        var shared = Path.Combine("..", "shared", "data");

        Assert.Equal([env, inRepo, beside], DataPaths.Roots("V", env, repo, "data", shared));
        Assert.Equal([inRepo, beside], DataPaths.Roots("V", null, repo, "data", shared));
        Assert.Equal([inRepo, beside], DataPaths.Roots("V", "", repo, "data", shared));
        Directory.Delete(beside);
        Assert.Equal([inRepo], DataPaths.Roots("V", null, repo, "data", shared));
        Assert.Equal([env], DataPaths.Roots("V", env, null, "data", shared));
        // A variable naming a missing folder is an error, not silently passed over.
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataPaths.Roots("V", Path.Combine(tmp.Path, "typo"), repo, "data", shared));
        Assert.Contains("V=", e.Message);
        Assert.Contains("typo", e.Message);
    }

    [Fact]
    public void A_file_stored_gzipped_is_read_under_its_plain_name()
    {
        using var tmp = TestPaths.NewTempDir();
        var plain = tmp.File("list.txt");
        using (var gz = new GZipStream(File.Create(plain + ".gz"), CompressionLevel.Optimal))
            gz.Write("a 1 0\nb 0 1\n"u8);
        Assert.False(File.Exists(plain));
        Assert.True(DataFile.Exists(plain));
        Assert.Equal(plain + ".gz", DataFile.Locate(plain));
        Assert.Equal(["a 1 0", "b 0 1"], DataFile.ReadLines(plain));
        Assert.Equal(["a 1 0", "b 0 1"], DataFile.ReadLines(plain + ".gz"));
        var table = LabelFiles.ReadSpaceList(plain, ["x", "y"]);
        Assert.Equal(["a", "b"], table.Names);
        Assert.Equal("list", DataFile.Stem(plain + ".gz"));
        // A plain file wins over a compressed one of the same name.
        File.WriteAllText(plain, "c 1 1\n");
        Assert.Equal(["c 1 1"], DataFile.ReadLines(plain));
        var missing = tmp.File("none.txt");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => LabelFiles.ReadLines(missing)).Message);
    }

    [Fact]
    public void The_shipped_gzipped_coco_list_reads_like_the_plain_one()
    {
        var names = LabelFiles.ReadNames(RepoData("lah", "coco2014", "labels.txt"));
        var train = Coco2014.ReadList(RepoData("lah", "coco2014", "train.txt"), names, "/coco");
        Assert.Equal(10000, train.Count);
        Assert.Equal("coco2014-train", train.Name);
        Assert.Equal("COCO_train2014_000000072095", train[0].Id);
    }
}
