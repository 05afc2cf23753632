using System.Text;
using Lah.Tests;

namespace Lah.Data.Tests;

public class GraphInputTests
{
    private static void AssertSameCounts(LabelCooccurrence expected, LabelCooccurrence actual)
    {
        Assert.Equal(expected.Labels.Select(l => l.Replace('_', ' ')), actual.Labels.Select(l => l.Replace('_', ' ')));
        Assert.Equal(expected.Nums, actual.Nums);
        Assert.Equal(expected.Adj, actual.Adj);
    }

    [Fact]
    public void Voc_counts_from_trainval_equal_the_official_json()
    {
        var trainval = Voc2007.ReadCsv(DataFiles.Lah("voc2007", "classification_trainval.csv"), "/x");
        var test = Voc2007.ReadCsv(DataFiles.Lah("voc2007", "classification_test.csv"), "/x");
        var pool = MultiLabelDataset.Concat("voc", trainval, test);
        var split = Splits.OfficialLah(pool.Count, trainval.Count);
        var ours = LabelCooccurrence.FromTraining(pool, split);
        AssertSameCounts(LabelCooccurrence.ReadJson(DataFiles.Lah("voc2007", "cooccurrence_lah.json")), ours);
        Assert.Equal(221, ours.Adj[12, 14]); // horse–person, the documented maximum
    }

    [Fact]
    public void Mirflickr_official_counts_include_test_labels_and_only_on_request()
    {
        var train = Mirflickr25k.ReadCsv(DataFiles.Lah("mirflickr25k", "train.csv"), "/x");
        var test = Mirflickr25k.ReadCsv(DataFiles.Lah("mirflickr25k", "test.csv"), "/x");
        var pool = MultiLabelDataset.Concat("mir", train, test);
        var official = LabelCooccurrence.ReadJson(DataFiles.Lah("mirflickr25k", "cooccurrence_lah.json"));
        AssertSameCounts(official, LabelCooccurrence.FromAllImagesIncludingTest(pool));
        var trainOnly = LabelCooccurrence.FromTraining(pool, Splits.OfficialLah(pool.Count, train.Count));
        Assert.NotEqual(official.Nums, trainOnly.Nums);
        Assert.Equal(3216, trainOnly.Nums[0]); // animals never occur in test
    }

    [Fact]
    public void Coco_json_uses_the_label_order_of_labels_txt()
    {
        var json = LabelCooccurrence.ReadJson(DataFiles.Lah("coco2014", "cooccurrence_lah.json"));
        Assert.Equal(LabelFiles.ReadNames(DataFiles.Lah("coco2014", "labels.txt")), json.Labels);
        Assert.Equal(45174, json.Nums[49]);
        // Built from the same labels (instances_train2014, not in the shared data), counts would be symmetric.
        for (var i = 0; i < 80; i++)
            for (var j = 0; j < 80; j++) Assert.Equal(json.Adj[i, j], json.Adj[j, i]);
    }

    [Fact]
    public void Coco_json_counts_bound_those_of_the_train2014_images_of_train_txt_label_by_label_and_pair_by_pair()
    {
        // The json counts all of instances_train2014 (not in the shared data); train.txt holds 6,680 of those images
        // (and 3,320 from val2014). Counting the former with our code can only give less, in every cell: a wrong label
        // order or a counting slip would not stay below the official counts everywhere.
        var json = LabelCooccurrence.ReadJson(DataFiles.Lah("coco2014", "cooccurrence_lah.json"));
        var list = Coco2014.ReadList(DataFiles.Lah("coco2014", "train.txt"), json.Labels, "/coco");
        var train2014 = Enumerable.Range(0, list.Count)
            .Where(i => ((FileImageSource)list[i].Image).Path.StartsWith("/coco/train2014/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(6680, train2014.Length);
        var ours = LabelCooccurrence.FromLabels(json.Labels, train2014.Select(i => list[i].Labels));
        for (var i = 0; i < 80; i++)
        {
            Assert.InRange(ours.Nums[i], 1, json.Nums[i]);
            for (var j = 0; j < 80; j++) Assert.InRange(ours.Adj[i, j], 0, json.Adj[i, j]);
        }
        // The val2014 images are not in the json's counts: with them some pairs exceed it.
        var all = LabelCooccurrence.FromLabels(json.Labels, Enumerable.Range(0, list.Count).Select(i => list[i].Labels));
        Assert.Contains(Enumerable.Range(0, 6400), k => all.Adj[k / 80, k % 80] > json.Adj[k / 80, k % 80]);
    }

    [Fact]
    public void Counts_and_conditionals_on_a_small_example()
    {
        var rows = new[] { new[] { 0, 1 }, [0], [0, 1, 2], [2] }.Select(r => MultiLabel.FromIndices(3, r));
        var c = LabelCooccurrence.FromLabels(["a", "b", "c"], rows.ToArray());
        Assert.Equal(new long[] { 3, 2, 2 }, c.Nums);
        Assert.Equal(2, c.Adj[0, 1]);
        Assert.Equal(0, c.Adj[0, 0]);
        Assert.Equal(1.0, c.Conditional(0, 1)); // P(a | b)
        Assert.Equal(2.0 / 3, c.Conditional(1, 0), 12); // P(b | a)
        using var dir = TestPaths.NewTempDir();
        c.WriteJson(dir.File("c.json"));
        AssertSameCounts(c, LabelCooccurrence.ReadJson(dir.File("c.json")));
    }

    [Theory]
    [InlineData("voc2007", "wordvec_glove.txt")]
    [InlineData("coco2014", "wordvec_fasttext.txt")]
    [InlineData("mirflickr25k", "wordvec_googlenews.txt")]
    public void Shared_word_vector_files_load_in_label_order(string dataset, string file)
    {
        var labels = LabelFiles.ReadNames(DataFiles.Lah(dataset, "labels.txt"));
        var e = LabelEmbedding.FromFile(labels, DataFiles.Lah(dataset, file), WordVectorFormat.GloveText);
        Assert.Equal(300, e.Dim);
        var lines = File.ReadAllLines(DataFiles.Lah(dataset, file));
        for (var i = 0; i < labels.Length; i++)
        {
            var f = lines[i].Split(' ');
            Assert.Equal(labels[i].Replace(' ', '_'), f[0]);
            Assert.Equal(float.Parse(f[300], System.Globalization.CultureInfo.InvariantCulture), e.Row(i)[299]);
        }
    }

    [Fact]
    public void Multi_word_labels_average_and_missing_words_are_listed()
    {
        using var dir = TestPaths.NewTempDir();
        var glove = dir.File("g.txt");
        File.WriteAllText(glove, "dining 1 2 3\ntable 3 4 5\nperson 0.5 0 -1\nteddy_bear 9 9 9\n");
        var e = LabelEmbedding.FromFile(["dining table", "person", "teddy bear"], glove);
        Assert.Equal(new float[] { 2, 3, 4 }, e.Row(0).ToArray());
        Assert.Equal(new float[] { 9, 9, 9 }, e.Row(2).ToArray()); // the joined token wins over the average
        var ex = Assert.Throws<DataFormatException>(() => LabelEmbedding.FromFile(["dining table", "hair drier", "zebra"], glove));
        Assert.Contains("hair drier (hair, drier)", ex.Message);
        Assert.Contains("zebra", ex.Message);
        Assert.Contains(glove, ex.Message);
    }

    [Fact]
    public void Word2vec_binary_and_fasttext_vec_read_the_same_vectors()
    {
        using var dir = TestPaths.NewTempDir();
        var words = new[] { "cat", "dog", "hot", "dog_x", "über" };
        var rng = new Rng(11);
        var vecs = words.Select(_ => Enumerable.Range(0, 5).Select(_ => (float)rng.Uniform(-1, 1)).ToArray()).ToArray();
        var bin = dir.File("w.bin");
        using (var s = File.Create(bin))
        {
            s.Write(Encoding.ASCII.GetBytes($"{words.Length} 5\n"));
            for (var i = 0; i < words.Length; i++)
            {
                s.Write(Encoding.UTF8.GetBytes(words[i] + " "));
                foreach (var v in vecs[i]) s.Write(BitConverter.GetBytes(v));
                s.WriteByte((byte)'\n');
            }
        }
        var vec = dir.File("w.vec");
        File.WriteAllLines(vec, new[] { $"{words.Length} 5" }.Concat(words.Select((w, i) =>
            w + " " + string.Join(" ", vecs[i].Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))));
        var a = LabelEmbedding.FromFile(["cat", "hot dog", "über"], bin);
        var b = LabelEmbedding.FromFile(["cat", "hot dog", "über"], vec);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(vecs[0], a.Row(0).ToArray());
        Assert.Equal(vecs[4], a.Row(2).ToArray());
        Assert.Equal((vecs[2][1] + vecs[1][1]) / 2, a.Row(1)[1], 6);
    }

    [Fact]
    public void One_hot_and_random_vectors()
    {
        var oh = LabelEmbedding.OneHot(["a", "b", "c"]);
        Assert.Equal(new float[] { 0, 1, 0 }, oh.Row(1).ToArray());
        var r1 = LabelEmbedding.Random(["a", "b"], 300, 5);
        var r2 = LabelEmbedding.Random(["a", "b"], 300, 5);
        var r3 = LabelEmbedding.Random(["a", "b"], 300, 6);
        Assert.Equal(r1.Data, r2.Data);
        Assert.NotEqual(r1.Data, r3.Data);
        var mean = r1.Data.Average();
        var sd = Math.Sqrt(r1.Data.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.15, 0.15);
        Assert.InRange(sd, 0.85, 1.15);
    }
}
