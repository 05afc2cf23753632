namespace Lah.Data;

/// <summary>MIRFLICKR-25K: `mirflickr/im{n}.jpg` with `mirflickr25k_annotations_v080/*.txt`, and the LAH CSVs.</summary>
public static class Mirflickr25k
{
    public static readonly IReadOnlyList<string> Labels =
    [
        "animals", "baby", "bird", "car", "clouds", "dog", "female", "flower", "food", "indoor", "lake", "male",
        "night", "people", "plant_life", "portrait", "river", "sea", "sky", "structures", "sunset", "transport",
        "tree", "water",
    ];

    /// <summary>
    /// Reads the annotation folder: one `label.txt` per label listing image numbers. By default the 24 "potential"
    /// labels (files without `_r1`); <paramref name="relevantOnly"/> uses the `label_r1.txt` lists instead (only the
    /// labels that have one). Images without any label are left out unless <paramref name="includeUnlabelled"/>,
    /// in which case every `im*.jpg` in the image folder is an item.
    /// </summary>
    public static MultiLabelDataset ReadAnnotations(string imageDir, string annotationDir, bool relevantOnly = false,
        bool includeUnlabelled = false)
    {
        if (!Directory.Exists(annotationDir))
            throw new DirectoryNotFoundException($"MIRFLICKR annotation folder not found: {annotationDir}");
        var files = Directory.GetFiles(annotationDir, "*.txt")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => !n.Equals("README", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var names = relevantOnly
            ? files.Where(n => n.EndsWith("_r1", StringComparison.Ordinal)).Select(n => n[..^3])
            : files.Where(n => !n.EndsWith("_r1", StringComparison.Ordinal));
        var labels = names.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        if (labels.Length == 0) throw new DataFormatException($"{annotationDir}: no label files");

        var rows = new SortedDictionary<int, bool[]>();
        for (var c = 0; c < labels.Length; c++)
        {
            var file = Path.Combine(annotationDir, labels[c] + (relevantOnly ? "_r1" : "") + ".txt");
            var lines = LabelFiles.ReadLines(file);
            for (var li = 0; li < lines.Count; li++)
            {
                var s = lines[li].Trim();
                if (s.Length == 0) continue;
                if (!int.TryParse(s, out var n) || n <= 0)
                    throw DataFormatException.At(file, li + 1, $"'{s}' is not an image number");
                if (!rows.TryGetValue(n, out var row)) rows[n] = row = new bool[labels.Length];
                row[c] = true;
            }
        }
        if (includeUnlabelled)
        {
            foreach (var f in Directory.EnumerateFiles(imageDir, "im*.jpg"))
                if (int.TryParse(Path.GetFileNameWithoutExtension(f)[2..], out var n) && !rows.ContainsKey(n))
                    rows[n] = new bool[labels.Length];
        }
        return new MultiLabelDataset(relevantOnly ? "mirflickr25k-r1" : "mirflickr25k", labels,
            rows.Select(kv => new DatasetItem(kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Image(imageDir, kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)), new MultiLabel(kv.Value))));
    }

    /// <summary>
    /// A LAH CSV (`name,animals,…,water`, header optional). <paramref name="officialHeaderBug"/> drops the first row
    /// of a header-less file, as the official code does with its test CSV (image 19461 is lost).
    /// </summary>
    public static MultiLabelDataset ReadCsv(string csvPath, string imageDir, bool officialHeaderBug = false)
    {
        var table = LabelFiles.ReadCsv(csvPath, Labels, officialHeaderBug);
        return table.ToDataset("mirflickr25k-" + Path.GetFileNameWithoutExtension(csvPath), id => Image(imageDir, id));
    }

    private static FileImageSource Image(string imageDir, string id) => new(Path.Combine(imageDir, $"im{id}.jpg"));
}
