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
    /// The release as one pool (<see cref="PoolSource.MirflickrAnnotations"/>): the images that carry at least one
    /// of the 24 labels of <paramref name="annotationDir"/> (`mirflickr25k_annotations_v080`), in image-number order,
    /// labels in the column order of <see cref="Labels"/>. There is no official train part (TrainCount 0): the
    /// protocols on this pool draw their queries at random. Checked first: all 24 label files are there and no other
    /// label file, and every image a file lists has its `im{n}.jpg` in <paramref name="imageDir"/>. Images without any
    /// label (419 in the release) are not an error and not in the pool.
    /// </summary>
    public static DatasetPool LoadRelease(string imageDir, string annotationDir)
    {
        if (!Directory.Exists(imageDir)) throw new DirectoryNotFoundException($"MIRFLICKR image folder not found: {imageDir}");
        if (!Directory.Exists(annotationDir)) throw new DirectoryNotFoundException($"MIRFLICKR annotation folder not found: {annotationDir}");
        var problems = new LayoutProblems();
        foreach (var label in Labels)
        {
            var file = Path.Combine(annotationDir, label + ".txt");
            if (!File.Exists(file)) problems.Add($"{file}: missing (one of the 24 label files of MIRFLICKR-25K)");
        }
        foreach (var file in Directory.GetFiles(annotationDir, "*.txt").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.EndsWith("_r1", StringComparison.Ordinal) || name.Equals("README", StringComparison.OrdinalIgnoreCase)) continue;
            if (!Labels.Contains(name)) problems.Add($"{file}: not one of MIRFLICKR-25K's 24 labels ({string.Join(", ", Labels)})");
        }
        problems.ThrowIfAny();

        var pool = ReadAnnotations(imageDir, annotationDir);
        var images = Directory.EnumerateFiles(imageDir, "im*.jpg").Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < pool.Count; i++)
        {
            var path = ((FileImageSource)pool[i].Image).Path;
            if (!images.Contains(Path.GetFileName(path)))
            {
                var first = Array.IndexOf(pool[i].Labels.Positive, true);
                problems.Add($"{path}: missing (listed in {Path.Combine(annotationDir, pool.LabelNames[first] + ".txt")})");
            }
        }
        problems.ThrowIfAny();
        return new DatasetPool(pool, 0, PoolSource.MirflickrAnnotations);
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
