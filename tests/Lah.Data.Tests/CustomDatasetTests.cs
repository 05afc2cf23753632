using System.IO.Compression;
using System.Text;
using Lah.Tests;

namespace Lah.Data.Tests;

/// <summary>
/// Custom datasets (<see cref="CustomDataset"/>): the pool and split built from given lists or a pool list, the same
/// data in the three list formats, word vectors, and each bad input reported with its file and line before training.
/// </summary>
public class CustomDatasetTests
{
    private static readonly string[] Names = ["sky", "potted plant", "dog"];

    /// <summary>A folder with labels.txt, list files and an image folder of small JPEGs.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly TempDir _dir = TestPaths.NewTempDir();

        public Fixture(params string[] photos)
        {
            Directory.CreateDirectory(Root);
            Write("labels.txt", string.Join("\n", Names) + "\n");
            for (var i = 0; i < photos.Length; i++) Photo(photos[i], (ulong)i);
        }

        public string Root => Path.Combine(_dir.Path, "images");
        public string Labels => _dir.File("labels.txt");

        public string Write(string name, string text)
        {
            var path = _dir.File(name);
            File.WriteAllText(path, text);
            return path;
        }

        public void Photo(string relative, ulong seed)
        {
            var path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, DataFiles.SyntheticJpeg(40, 32, seed));
        }

        public CustomDatasetOptions Lists(string train, string database, string query) => new()
        {
            Root = Root,
            Labels = Labels,
            Lists = new CustomLists(Write("train.txt", train), Write("database.txt", database), Write("test.txt", query)),
        };

        public void Dispose() => _dir.Dispose();
    }

    private static readonly string[] Photos = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "sub/e.jpg", "f.jpg"];

    // database a b c d; queries e f; train b d (inside the database) — the HashNet / DeepHash-pytorch layout.
    private const string Database = "a.jpg 1 0 0\nb.jpg 0 1 0\nc.jpg 1 1 0\nd.jpg 0 0 1\n";
    private const string Query = "sub/e.jpg 1 0 0\nf.jpg 0 1 1\n";
    private const string Train = "b.jpg 0 1 0\nd.jpg 0 0 1\n";

    [Fact]
    public void Given_lists_make_a_pool_of_distinct_images_and_a_split_in_list_order()
    {
        using var f = new Fixture(Photos);
        var c = CustomDataset.Load(f.Lists(Train, Database, Query), seed: 7);
        var d = c.Dataset;
        Assert.Equal(Names, d.LabelNames);
        Assert.Equal(["a.jpg", "b.jpg", "c.jpg", "d.jpg", "sub/e.jpg", "f.jpg"], Enumerable.Range(0, d.Count).Select(i => d[i].Id));
        Assert.Equal([0, 1, 2, 3], c.Split.Database);
        Assert.Equal([4, 5], c.Split.Query);
        Assert.Equal([1, 3], c.Split.Train);
        Assert.Equal(SplitNames.CustomLists, c.Split.Protocol);
        Assert.False(c.Split.LeaveOneOut);
        Assert.Equal(new sbyte[] { -1, 1, 1 }, d[5].Labels.ToSigned());
        var source = Assert.IsType<ImageFileSource>(d[4].Image);
        Assert.Equal(Path.Combine(f.Root, "sub", "e.jpg"), source.Path);
        Assert.Equal(40, d[4].Image.Load().Width);
        Assert.Null(c.Embedding);
        Assert.Empty(DatasetCheck.FindProblems(d, Enumerable.Range(0, d.Count)));
        // 'sky' is in no training image (b, d): a warning naming labels.txt line 1, not an error.
        var w = Assert.Single(c.Report.Warnings);
        Assert.Equal((f.Labels, 1), (w.File, w.Line));
        Assert.Contains("'sky' occurs in no training image (3 in all the lists)", w.What);
        Assert.Contains(c.Report.Checked, l => l.Contains("all 6 listed images exist"));
        Assert.Contains(c.Report.Checked, l => l.Contains("no query image is also a training image"));
    }

    [Fact]
    public void A_pool_list_is_split_as_Splits_Dch_with_training_drawn_from_the_database()
    {
        using var f = new Fixture(Photos);
        var pool = f.Write("pool.txt", Database + Query);
        var o = new CustomDatasetOptions { Root = f.Root, Labels = f.Labels, Pool = new CustomPool(pool, Queries: 2, Train: 3) };
        var c = CustomDataset.Load(o, seed: 11);
        var dch = Splits.Dch(6, 2, 3, 11);
        Assert.Equal(SplitNames.CustomDch, c.Split.Protocol);
        Assert.False(c.Split.LeaveOneOut);
        Assert.Equal(dch.Train, c.Split.Train);
        Assert.Equal(dch.Query, c.Split.Query);
        Assert.Equal(dch.Database, c.Split.Database);
        Assert.Equal(Enumerable.Range(0, 6).Except(c.Split.Query), c.Split.Database);
        Assert.All(c.Split.Train, t => Assert.Contains(t, c.Split.Database));
        Assert.Equal(c.Fingerprint, CustomDataset.Load(o, seed: 11).Fingerprint);
        Assert.NotEqual(c.Fingerprint, CustomDataset.Load(o, seed: 12).Fingerprint);
    }

    [Fact]
    public void The_same_lists_as_HashNet_text_LAH_csv_and_COCO_json_give_the_same_dataset()
    {
        using var f = new Fixture(Photos);
        var hashnet = CustomDataset.Load(f.Lists(Train, Database, Query), 3);

        static string Csv(string list) => "name,sky,potted plant,dog\n" + string.Concat(list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).Select(p => p[0] + "," + string.Join(",", p.Skip(1).Select(v => v == "1" ? "1" : "-1")) + "\n"));
        var csv = CustomDataset.Load(new CustomDatasetOptions
        {
            Root = f.Root,
            Labels = f.Labels,
            Lists = new CustomLists(f.Write("train.csv", Csv(Train)), f.Write("database.csv", Csv(Database)), f.Write("test.csv", Csv(Query))),
        }, 3);

        // Categories in another order and with other ids: columns follow labels.txt by name.
        static string Json(string list)
        {
            var rows = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToArray();
            var images = rows.Select((p, i) => $"{{\"id\": {100 + i}, \"file_name\": \"{p[0]}\"}}");
            var anns = rows.SelectMany((p, i) => p.Skip(1).Select((v, c) => (v, c)).Where(t => t.v == "1")
                .Select(t => $"{{\"image_id\": {100 + i}, \"category_id\": {new[] { 5, 3, 9 }[t.c]}}}"));
            return "{\"images\": [\n" + string.Join(",\n", images) + "\n],\n\"annotations\": [\n" + string.Join(",\n", anns) +
                "\n],\n\"categories\": [{\"id\": 9, \"name\": \"dog\"}, {\"id\": 5, \"name\": \"sky\"}, {\"id\": 3, \"name\": \"potted plant\"}]}\n";
        }
        var json = CustomDataset.Load(new CustomDatasetOptions
        {
            Root = f.Root,
            Labels = f.Labels,
            Lists = new CustomLists(f.Write("train.json", Json(Train)), f.Write("database.json", Json(Database)), f.Write("test.json", Json(Query))),
        }, 3);

        Assert.Equal(hashnet.Fingerprint, csv.Fingerprint);
        Assert.Equal(hashnet.Fingerprint, json.Fingerprint);
        Assert.Equal(hashnet.Split.Train, json.Split.Train);
    }

    [Fact]
    public void Word_vectors_with_a_count_header_gzipped_average_the_words_of_multi_word_labels()
    {
        using var f = new Fixture(Photos);
        const string Text = "3 2\nsky 1 2\npotted 3 5\nplant 5 7\ndog -1 0.5\n";
        var plain = f.Write("vectors.txt", Text);
        var gz = f.Write("vectors.txt.gz", "");
        using (var s = new GZipStream(File.Create(gz), CompressionLevel.Optimal))
            s.Write(Encoding.UTF8.GetBytes(Text));
        foreach (var file in new[] { plain, gz })
        {
            var c = CustomDataset.Load(f.Lists(Train, Database, Query) with { Vectors = file }, 0);
            var e = Assert.IsType<LabelEmbedding>(c.Embedding);
            Assert.Equal(2, e.Dim);
            Assert.Equal(new float[] { 1, 2, 4, 6, -1, 0.5f }, e.Data);
            Assert.Equal(LabelEmbedding.FromFile(Names, file).Data, e.Data);
            Assert.Contains(c.Report.Checked, l => l.Contains("a 2-d vector for each of the 3 labels"));
        }
        var none = CustomDataset.Load(f.Lists(Train, Database, Query), 0);
        Assert.NotEqual(none.Fingerprint, CustomDataset.Load(f.Lists(Train, Database, Query) with { Vectors = plain }, 0).Fingerprint);
    }

    private static DataFormatException Fails(CustomDatasetOptions o) =>
        Assert.Throws<DataFormatException>(() => CustomDataset.Load(o, 0));

    [Fact]
    public void A_row_with_the_wrong_number_of_label_columns_names_file_and_line()
    {
        using var f = new Fixture(Photos);
        var o = f.Lists(Train, "a.jpg 1 0 0\nb.jpg 0 1\nc.jpg 1 1 0\nd.jpg 0 0 1\n", Query);
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Database}:2: 2 label values, expected 3", e.Message);
        Assert.Contains("1 problem(s)", e.Message);
    }

    [Fact]
    public void A_bad_label_value_names_file_and_line()
    {
        using var f = new Fixture(Photos);
        var o = f.Lists("b.jpg 0 1 0\nd.jpg 0 2 1\n", Database, Query);
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Train}:2: label 'potted plant' has value '2', expected 0 or 1", e.Message);
    }

    [Fact]
    public void An_image_listed_twice_names_both_lines()
    {
        using var f = new Fixture(Photos);
        var o = f.Lists(Train, Database + "./b.jpg 0 1 0\n", Query);
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Database}:5: image './b.jpg' is listed twice (first at line 2)", e.Message);
    }

    [Fact]
    public void A_missing_image_file_names_the_list_line_that_lists_it()
    {
        using var f = new Fixture(Photos);
        var o = f.Lists(Train, Database, "sub/e.jpg 1 0 0\nnope.jpg 0 1 1\n");
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Query}:2: image file {Path.Combine(f.Root, "nope.jpg")} not found", e.Message);
    }

    [Fact]
    public void A_query_that_is_also_a_training_image_is_an_error_unless_overlap_is_allowed()
    {
        using var f = new Fixture(Photos);
        var o = f.Lists(Train, Database, Query + "d.jpg 0 0 1\n");
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Query}:3: query image 'd.jpg' is also a training image ({o.Lists.Train}:2)", e.Message);
        Assert.Contains($"{o.Lists.Query}:3: query image 'd.jpg' is also a database image ({o.Lists.Database}:4)", e.Message);
        Assert.Contains("2 problem(s)", e.Message);

        var allowed = CustomDataset.Load(o with { AllowOverlap = true }, 0);
        Assert.Contains(allowed.Report.Warnings, w => w.What.Contains("1 query image(s) are also training images") && w.File == o.Lists.Query);
        Assert.Contains(3, allowed.Split.Query);
    }

    [Fact]
    public void An_image_with_other_labels_in_another_list_names_both_places()
    {
        using var f = new Fixture(Photos);
        var o = f.Lists("b.jpg 0 1 0\nd.jpg 1 0 1\n", Database, Query);
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Train}:2: image 'd.jpg' has labels [1,-1,1] here but [-1,-1,1] at {o.Lists.Database}:4", e.Message);
    }

    [Fact]
    public void A_label_without_a_vector_names_its_line_in_labels_txt()
    {
        using var f = new Fixture(Photos);
        var vectors = f.Write("glove.txt", "sky 1 2\npotted 3 5\ndog -1 0.5\n");
        var e = Fails(f.Lists(Train, Database, Query) with { Vectors = vectors });
        Assert.Contains($"{f.Labels}:2: label 'potted plant' has no vector in {vectors} (nor have its word(s) plant)", e.Message);
    }

    [Fact]
    public void Every_problem_is_listed_in_one_exception_and_Check_returns_them_all()
    {
        using var f = new Fixture(Photos);
        var vectors = f.Write("glove.txt", "sky 1 2\n");
        var o = f.Lists("b.jpg 0 1\nd.jpg 0 0 1\n", Database + "a.jpg 1 0 0\n", Query + "gone.jpg 1 0 0\n") with { Vectors = vectors };
        var check = CustomDataset.Check(o, 0);
        Assert.Null(check.Dataset);
        Assert.Equal(
        [
            $"{o.Lists!.Database}:5: image 'a.jpg' is listed twice (first at line 1); expected each image once per list",
            $"{o.Lists.Train}:1: 2 label values, expected 3",
            $"{o.Lists.Query}:3: image file {Path.Combine(f.Root, "gone.jpg")} not found",
            $"{f.Labels}:2: label 'potted plant' has no vector in {vectors} (nor have its word(s) potted, plant); expected the label, or each of its words, in the file",
            $"{f.Labels}:3: label 'dog' has no vector in {vectors}; expected the label, or each of its words, in the file",
        ], check.Errors.Select(p => p.ToString()));
        var e = Fails(o);
        Assert.Contains("5 problem(s) found before training", e.Message);
        Assert.All(check.Errors, p => Assert.Contains(p.ToString(), e.Message));
    }

    [Fact]
    public void Lists_of_absolute_paths_point_at_the_prefix_to_strip_and_load_with_it()
    {
        using var f = new Fixture(Photos);
        const string Prefix = "/home/someone/dataset/nus_wide/";
        string Abs(string list) => string.Concat(list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Prefix + l + "\n"));
        var o = f.Lists(Abs(Train), Abs(Database), Abs(Query));
        var e = Fails(o);
        Assert.Contains($"{o.Lists!.Database}:1: none of the 6 listed images exists", e.Message);
        Assert.Contains("StripPrefix", e.Message);
        Assert.Contains("1 problem(s)", e.Message);
        var c = CustomDataset.Load(o with { StripPrefix = Prefix }, 0);
        Assert.Equal("sub/e.jpg", c.Dataset[4].Id);
    }

    [Fact]
    public void Labels_txt_problems_and_impossible_pool_counts_name_the_file()
    {
        using var f = new Fixture(Photos);
        f.Write("labels.txt", "sky\npotted plant\nsky\n");
        var e = Fails(f.Lists(Train, Database, Query));
        Assert.Contains($"{f.Labels}:3: label 'sky' is named twice (first at line 1)", e.Message);

        f.Write("labels.txt", string.Join("\n", Names));
        var pool = f.Write("pool.txt", Database + Query);
        var big = Fails(new CustomDatasetOptions { Root = f.Root, Labels = f.Labels, Pool = new CustomPool(pool, 4, 3) });
        Assert.Contains($"{pool}: cannot draw 4 queries and 3 training images from 6 images", big.Message);
        var missing = Fails(new CustomDatasetOptions { Root = f.Root, Labels = f.Labels, Pool = new CustomPool(f.Labels + ".none", 1, 1) });
        Assert.Contains($"{f.Labels}.none: list file not found", missing.Message);
    }

    [Fact]
    public void Bad_json_entries_name_their_lines()
    {
        using var f = new Fixture(Photos);
        var json = f.Write("database.json",
            "{\"images\": [\n  {\"id\": 1, \"file_name\": \"a.jpg\"},\n  {\"id\": 2, \"file_name\": \"a.jpg\"}\n],\n" +
            "\"annotations\": [\n  {\"image_id\": 1, \"category_id\": 5},\n  {\"image_id\": 2, \"category_id\": 5},\n  {\"image_id\": 7, \"category_id\": 5},\n" +
            "  {\"image_id\": 1, \"category_id\": 4}\n],\n" +
            "\"categories\": [\n  {\"id\": 5, \"name\": \"sky\"},\n  {\"id\": 6, \"name\": \"potted plant\"},\n  {\"id\": 7, \"name\": \"dog\"},\n  {\"id\": 8, \"name\": \"cat\"}\n]}\n");
        var o = new CustomDatasetOptions
        {
            Root = f.Root,
            Labels = f.Labels,
            Lists = new CustomLists(f.Write("train.txt", Train), json, f.Write("test.txt", Query)),
        };
        var errors = CustomDataset.Check(o, 0).Errors.Select(p => p.ToString()).ToArray();
        Assert.Contains($"{json}:15: category 'cat' (id 8) is not among the label names [sky, potted plant, dog]", errors);
        Assert.Contains($"{json}:8: an annotation refers to image_id 7, not in \"images\"", errors);
        Assert.Contains($"{json}:9: an annotation of image 1 has category_id 4, not in \"categories\"", errors);
        Assert.Contains($"{json}:3: image 'a.jpg' is listed twice (first at line 2); expected each image once per list", errors);
    }

    [Fact]
    public void Json_entry_lines_are_counted_across_the_readers_buffer_refills()
    {
        using var dir = TestPaths.NewTempDir();
        // ~3 MB, one image per line after a long padded first line: every entry's line is known.
        var sb = new StringBuilder("{\"info\": \"" + new string('x', 1_500_000) + "\",\n\"images\": [\n");
        const int N = 20_000;
        for (var i = 0; i < N; i++) sb.Append($"  {{\"id\": {i}, \"file_name\": \"{i:D8}.jpg\", \"pad\": \"{new string('p', 60)}\"}}{(i < N - 1 ? "," : "")}\n");
        sb.Append("],\n\"annotations\": [");
        sb.Append(string.Join(",", Enumerable.Range(0, N).Select(i => $"{{\"image_id\": {i}, \"category_id\": {i % 3}}}")));
        sb.Append("],\n\"categories\": [{\"id\": 0, \"name\": \"a\"}, {\"id\": 1, \"name\": \"b\"}, {\"id\": 2, \"name\": \"c\"}]}");
        var path = dir.File("big.json");
        File.WriteAllText(path, sb.ToString());
        var t = Coco2014.ReadInstancesTable(path, ["c", "b", "a"]);
        Assert.Equal(N, t.Count);
        Assert.Equal(Enumerable.Range(3, N), t.Lines!);
        Assert.Equal("00000007.jpg", t.Names[7]);
        Assert.Equal(new sbyte[] { 1, -1, -1 }, t.Labels[2].ToSigned()); // category 2 = 'c', the first column
    }

    [Fact]
    public void Encode_lists_read_a_coco_style_json_with_the_same_reader()
    {
        using var f = new Fixture(Photos);
        var json = f.Write("list.json",
            "{\"images\": [{\"id\": 1, \"file_name\": \"images/a.jpg\"}, {\"id\": 2, \"file_name\": \"images/b.jpg\"}, {\"id\": 3, \"file_name\": \"images/c.jpg\"}]," +
            "\"annotations\": [{\"image_id\": 2, \"category_id\": 1}, {\"image_id\": 1, \"category_id\": 2}]," +
            "\"categories\": [{\"id\": 1, \"name\": \"dog\"}, {\"id\": 2, \"name\": \"sky\"}]}");
        File.Delete(f.Labels); // no labels.txt beside it: the categories by name
        var list = ImageList.Read(json);
        Assert.Equal([Path.Combine(f.Root, "a.jpg"), Path.Combine(f.Root, "b.jpg")], list.Paths);
        Assert.Equal(["dog", "sky"], list.LabelNames);
        Assert.Equal(new float[] { 0, 1, 1, 0 }, list.Labels);
    }

    [Fact]
    public void Encode_lists_with_labels_and_a_prefix_give_the_custom_datasets_images_and_labels_in_list_order()
    {
        using var f = new Fixture(Photos);
        const string Prefix = "/srv/elsewhere/";
        string Abs(string list) => string.Concat(list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Prefix + l + "\n"));
        var o = f.Lists(Abs(Train), Abs(Database), Abs(Query)) with { StripPrefix = Prefix };
        var c = CustomDataset.Load(o, 0);
        var labelsElsewhere = f.Write("names-elsewhere.txt", string.Join("\n", Names));
        File.Delete(f.Labels); // nothing beside the lists: --labels names the columns
        foreach (var (file, members) in new[] { (o.Lists!.Database, c.Split.Database), (o.Lists.Query, c.Split.Query) })
        {
            var list = ImageList.Read(file, f.Root, labelsElsewhere, Prefix);
            Assert.Equal(members.Select(i => ((ImageFileSource)c.Dataset[i].Image).Path), list.Paths);
            Assert.Equal(members.SelectMany(i => c.Dataset[i].Labels.ToMultiHot()), list.Labels!);
            Assert.Equal(Names, list.LabelNames);
        }
    }

    [Fact]
    public void DatasetCheck_accepts_any_image_format_of_an_ImageFileSource_and_names_a_non_image()
    {
        using var dir = TestPaths.NewTempDir();
        var png = dir.File("p.png");
        using (var img = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(8, 6))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(img, png);
        var text = dir.File("t.jpg");
        File.WriteAllText(text, "not an image");
        var d = new MultiLabelDataset("x", ["a"],
        [
            new DatasetItem("p", new ImageFileSource(png), new MultiLabel([true])),
            new DatasetItem("t", new ImageFileSource(text), new MultiLabel([true])),
            new DatasetItem("m", new ImageFileSource(dir.File("missing.png")), new MultiLabel([true])),
        ]);
        var problems = DatasetCheck.FindProblems(d, [0, 1, 2]);
        Assert.Equal([1, 2], problems.Select(p => p.Index));
        Assert.StartsWith("not an image", problems[0].Reason);
        Assert.Equal("missing", problems[1].Reason);
        Assert.Null(DatasetCheck.Check(png, decode: true, anyFormat: true));
        Assert.StartsWith("not a JPEG", DatasetCheck.Check(png));
    }

    // ---- the example dataset: the sample photos with their labels given by eye, as HashNet lists ----

    private static string Example(string file) => Path.Combine(TestPaths.RepoRoot, "experiments", "custom-samples", file);
    private static string SampleLabels(string file) => Path.Combine(TestPaths.RepoRoot, "experiments", "jpeg-samples", file);

    [Fact]
    public void The_example_lists_hold_the_labels_of_the_sample_photos_csvs()
    {
        var names = LabelFiles.ReadNames(Example("labels.txt"));
        foreach (var (list, csv) in new[] { ("database.txt", "database.csv"), ("train.txt", "database.csv"), ("test.txt", "queries.csv") })
        {
            var a = LabelLists.Read(Example(list), names);
            var b = LabelLists.Read(SampleLabels(csv), names);
            Assert.Equal(b.Names, a.Names);
            Assert.Equal(b.Labels.Select(l => string.Join(",", l.ToSigned())), a.Labels.Select(l => string.Join(",", l.ToSigned())));
        }
    }

    [SkippableFact]
    public void The_example_custom_dataset_loads_over_the_sample_photos()
    {
        var photos = Path.GetDirectoryName(DataFiles.SamplePhotos()[0])!;
        var c = CustomDataset.Load(new CustomDatasetOptions
        {
            Root = photos,
            Labels = Example("labels.txt"),
            Lists = new CustomLists(Example("train.txt"), Example("database.txt"), Example("test.txt")),
            Vectors = DataFiles.Lah("voc2007", "wordvec_glove.txt"),
        }, seed: 0);
        Assert.Equal(90, c.Dataset.Count);
        Assert.Equal((80, 10, 80), (c.Split.Train.Length, c.Split.Query.Length, c.Split.Database.Length));
        Assert.Equal(Enumerable.Range(0, 80), c.Split.Database);
        Assert.Equal(Enumerable.Range(80, 10), c.Split.Query);
        Assert.Equal(300, c.Embedding!.Dim);
        Assert.Equal(LabelEmbedding.FromFile(c.Dataset.LabelNames, DataFiles.Lah("voc2007", "wordvec_glove.txt")).Data, c.Embedding.Data);
        // The photos show 10 of VOC's 20 classes in the database; the other 10 are warnings, not errors.
        string[] absent = ["aeroplane", "bicycle", "bird", "boat", "car", "cow", "horse", "motorbike", "sheep", "train"];
        Assert.Equal(absent, c.Report.Warnings.Where(w => w.What.Contains("occurs in no training image")).Select(w => w.What.Split('\'')[1]));
        Assert.Empty(DatasetCheck.FindProblems(c.Dataset, Enumerable.Range(0, 90), decode: true));
        Assert.True(c.Dataset[c.Split.Query[0]].Image.Load().Width > 0);
    }
}
