using Lah.Tests;

namespace Lah.Data.Tests;

public class LabelFileTests
{
    [Fact]
    public void Voc_csvs_have_the_documented_counts()
    {
        var trainval = Voc2007.ReadCsv(DataFiles.Lah("voc2007", "classification_trainval.csv"), "/nonexistent");
        var test = Voc2007.ReadCsv(DataFiles.Lah("voc2007", "classification_test.csv"), "/nonexistent");
        Assert.Equal(5011, trainval.Count);
        Assert.Equal(4952, test.Count);
        int Ones(IMultiLabelDataset d) => Enumerable.Range(0, d.Count).Sum(i => d[i].Labels.Positive.Count(p => p));
        int Zeros(IMultiLabelDataset d) => Enumerable.Range(0, d.Count).Sum(i => d[i].Labels.Difficult.Count(p => p));
        Assert.Equal(7306, Ones(trainval));
        Assert.Equal(607, Zeros(trainval));
        Assert.Equal(7013, Ones(test));
        Assert.Equal(619, Zeros(test));
        Assert.Equal("000005", trainval[0].Id);
        Assert.EndsWith("JPEGImages/000005.jpg", ((FileImageSource)trainval[0].Image).Path);
        Assert.Equal(LabelFiles.ReadNames(DataFiles.Lah("voc2007", "labels.txt")), trainval.LabelNames);
    }

    [Fact]
    public void Mirflickr_headerless_test_csv_keeps_or_drops_its_first_row()
    {
        var train = Mirflickr25k.ReadCsv(DataFiles.Lah("mirflickr25k", "train.csv"), "/img");
        var test = Mirflickr25k.ReadCsv(DataFiles.Lah("mirflickr25k", "test.csv"), "/img");
        var official = Mirflickr25k.ReadCsv(DataFiles.Lah("mirflickr25k", "test.csv"), "/img", officialHeaderBug: true);
        Assert.Equal(14748, train.Count);
        Assert.Equal(9833, test.Count);
        Assert.Equal(9832, official.Count);
        Assert.Equal("19461", test[0].Id);
        Assert.Equal("19525", official[0].Id);
        Assert.Equal("/img/im19461.jpg", ((FileImageSource)test[0].Image).Path);
        // The documented class-sorted split: no test image is an animal.
        Assert.All(Enumerable.Range(0, test.Count), i => Assert.False(test[i].Labels.Positive[0]));
    }

    [Fact]
    public void Coco_list_files_read_with_alphabetical_labels()
    {
        var labels = LabelFiles.ReadNames(DataFiles.Lah("coco2014", "labels.txt"));
        Assert.Equal(labels.OrderBy(l => l, StringComparer.Ordinal), labels);
        var train = Coco2014.ReadList(DataFiles.Lah("coco2014", "train.txt"), labels, "/coco");
        var test = Coco2014.ReadList(DataFiles.Lah("coco2014", "test.txt"), labels, "/coco");
        Assert.Equal(10000, train.Count);
        Assert.Equal(5000, test.Count);
        Assert.Equal("/coco/train2014/COCO_train2014_000000072095.jpg", ((FileImageSource)train[0].Image).Path);
        // Column 49 (person) is the most frequent, as documented.
        var freq = Enumerable.Range(0, 80).Select(c => Enumerable.Range(0, train.Count).Count(i => train[i].Labels.Positive[c])).ToArray();
        Assert.Equal(49, Array.IndexOf(freq, freq.Max()));
        Assert.Equal("person", labels[49]);
    }

    [Fact]
    public void Crlf_lines_and_difficult_values_parse()
    {
        using var dir = TestPaths.NewTempDir();
        var f = dir.File("c.csv");
        File.WriteAllText(f, "name,a,b,c\r\n0001,1,0,-1\r\n0002,-1,-1,1\n");
        var t = LabelFiles.ReadCsv(f);
        Assert.Equal(["a", "b", "c"], t.LabelNames);
        Assert.Equal(new sbyte[] { 1, 0, -1 }, t.Labels[0].ToSigned());
        Assert.Equal(new float[] { 1, 1, 0 }, t.Labels[0].ToMultiHot());
        Assert.Equal(new float[] { 1, 0, 0 }, t.Labels[0].ToMultiHot(difficultAsPositive: false));
        Assert.Equal("0002", t.Names[1]);
    }

    [Theory]
    [InlineData("name,a,b\n01,1,-1\n02,1,2\n", ":3:", "'2'")]
    [InlineData("name,a,b\n01,1,-1\n02,1\n", ":3:", "1 label values, expected 2")]
    [InlineData("name,a,x\n01,1,-1\n", ":1:", "differ")]
    public void Malformed_csv_errors_name_file_line_and_problem(string text, string line, string what)
    {
        using var dir = TestPaths.NewTempDir();
        var f = dir.File("bad.csv");
        File.WriteAllText(f, text);
        var e = Assert.Throws<DataFormatException>(() => LabelFiles.ReadCsv(f, ["a", "b"]));
        Assert.Contains(f + line, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Missing_label_file_is_a_clear_error()
    {
        var e = Assert.Throws<FileNotFoundException>(() => LabelFiles.ReadCsv("/no/such/file.csv"));
        Assert.Contains("/no/such/file.csv", e.Message);
    }

    [Fact]
    public void Collected_problems_skip_bad_rows_and_keep_the_lines_of_good_ones()
    {
        using var dir = TestPaths.NewTempDir();
        var list = dir.File("l.txt");
        File.WriteAllText(list, "x.jpg 1 0\n\ny.jpg 1\nz.jpg\t0  1\nw.jpg 0 7\n");
        var problems = new List<DataProblem>();
        var t = LabelFiles.ReadSpaceList(list, ["a", "b"], problems);
        Assert.Equal(["x.jpg", "z.jpg"], t.Names);
        Assert.Equal([1, 4], t.Lines!);
        Assert.Equal([$"{list}:3: 1 label values, expected 2", $"{list}:5: label 'b' has value '7', expected 0 or 1"],
            problems.Select(p => p.ToString()));
        Assert.Throws<DataFormatException>(() => LabelFiles.ReadSpaceList(list, ["a", "b"]));

        var csv = dir.File("c.csv");
        File.WriteAllText(csv, "name,a,b\n01,1,-1\n02,1,2\n03,0,1\n");
        problems.Clear();
        var c = LabelFiles.ReadCsv(csv, ["a", "b"], problems: problems);
        Assert.Equal([2, 4], c.Lines!);
        Assert.Equal($"{csv}:3: label 'b' has value '2', expected 1, 0 or -1", Assert.Single(problems).ToString());
    }
}
