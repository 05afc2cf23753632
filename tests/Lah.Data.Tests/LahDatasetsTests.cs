using Lah.Tests;

namespace Lah.Data.Tests;

public class LahDatasetsTests
{
    [Theory]
    [InlineData("voc2007", 5011, 4952, "/img/JPEGImages/000005.jpg")]
    [InlineData("coco2014", 10000, 5000, "/img/train2014/COCO_train2014_000000072095.jpg")]
    [InlineData("mirflickr25k", 14748, 9833, "/img/im22.jpg")]
    public void Pools_from_the_shared_label_files(string dataset, int train, int test, string firstImage)
    {
        var p = LahDatasets.Load(dataset, DataPaths.LahLabelDirectory(dataset), "/img");
        Assert.Equal(train, p.TrainCount);
        Assert.Equal(test, p.TestCount);
        Assert.Equal(firstImage, ((FileImageSource)p.Pool[0].Image).Path);
        Assert.Equal(LabelFiles.ReadNames(DataFiles.Lah(dataset, "labels.txt")), p.Pool.LabelNames);
        var split = Splits.ForDataset(dataset, "lah", p.Pool.Count, p.TrainCount, 0);
        Assert.Equal(test, split.Query.Length);
    }

    [Fact]
    public void Scenes_from_a_real_label_file_keep_its_rows()
    {
        var s = EmbeddedDatasets.ScenesFromLabelFile(DataFiles.Lah("coco2014", "test.txt"), 40, 3, 64);
        var coco = Coco2014.ReadList(DataFiles.Lah("coco2014", "test.txt"), LabelFiles.ReadNames(DataFiles.Lah("coco2014", "labels.txt")), "/");
        Assert.Equal(80, s.LabelNames.Count);
        for (var i = 0; i < 40; i++) Assert.Equal(coco[i].Labels.Positive, s[i].Labels.Positive);
        var m = EmbeddedDatasets.ScenesFromLabelFile(DataFiles.Lah("mirflickr25k", "test.csv"), 5, 3, 32); // header-less: labels.txt
        Assert.Equal(24, m.LabelNames.Count);
    }

    [Fact]
    public void A_glove_file_with_a_count_header_still_reads()
    {
        using var dir = TestPaths.NewTempDir();
        File.WriteAllText(dir.File("v.txt"), "2 3\ncat 1 2 3\ndog 4 5 6\n");
        var e = LabelEmbedding.FromFile(["dog"], dir.File("v.txt"));
        Assert.Equal(new float[] { 4, 5, 6 }, e.Row(0).ToArray());
    }
}
