namespace Lah.Data;

/// <summary>The default datasets that need no download, by name.</summary>
public static class EmbeddedDatasets
{
    public static readonly IReadOnlyList<string> Names =
        ["fashion-mosaic", "fashion-mosaic-3x3", "synthetic-scenes-voc", "synthetic-scenes-coco", "synthetic-scenes-mirflickr"];

    /// <summary>
    /// Builds an embedded dataset. `synthetic-scenes` defaults to the VOC preset; `fashion-mosaic` uses the
    /// Fashion-MNIST train part (t10k with <paramref name="fashionPart"/> = "t10k").
    /// </summary>
    public static IMultiLabelDataset Create(string name, int count, ulong seed, string fashionPart = "train") => name switch
    {
        "fashion-mosaic" or "fashion-mosaic-2x2" => new FashionMosaic(FashionMnist.Load(fashionPart), count, seed, grid: 2),
        "fashion-mosaic-3x3" => new FashionMosaic(FashionMnist.Load(fashionPart), count, seed, grid: 3),
        "synthetic-scenes" => new SyntheticScenes(ScenePreset.Voc, count, seed),
        _ when name.StartsWith("synthetic-scenes-", StringComparison.Ordinal) =>
            new SyntheticScenes(ScenePreset.Parse(name["synthetic-scenes-".Length..]), count, seed),
        _ => throw new ArgumentException($"unknown embedded dataset '{name}' ({string.Join(", ", Names)})"),
    };

    /// <summary>
    /// `synthetic-scenes` whose label sets are the first <paramref name="count"/> rows of a real label file, or with
    /// <paramref name="sampleRows"/> a seeded random sample of its rows (in file order; needed for files sorted by
    /// class, such as MIRFLICKR's train.csv, whose first 3,000 rows all carry `animals`).
    /// </summary>
    public static SyntheticScenes ScenesFromLabelFile(string labelFile, int count, ulong seed, int size = 128,
        SceneDifficulty? difficulty = null, bool sampleRows = false)
    {
        var table = LabelRowsFile.Read(labelFile);
        if (count > table.Count) throw new ArgumentOutOfRangeException(nameof(count), $"{labelFile} has {table.Count} rows, {count} asked for");
        var rows = sampleRows
            ? Rng.For(seed, 0x5A3).Permutation(table.Count)[..count].Order().Select(i => table.Labels[i]).ToArray()
            : table.Labels.Take(count).ToArray();
        return new SyntheticScenes("synthetic-scenes-" + Path.GetFileNameWithoutExtension(labelFile), table.LabelNames,
            rows, seed, size, difficulty);
    }
}
