using System.Text.Json;
using Lah.Common;

namespace Lah.Data;

/// <summary>
/// Label-graph input: how many images carry each label (<see cref="Nums"/>) and each pair of labels
/// (<see cref="Adj"/>, symmetric, zero diagonal) — the `{nums, adj}` the official `*_adj.pkl` holds.
/// </summary>
public sealed record LabelCooccurrence(IReadOnlyList<string> Labels, long[] Nums, long[,] Adj)
{
    /// <summary>
    /// Counts from training labels only. Difficult labels are not counted (the official VOC counts use label == 1).
    /// </summary>
    public static LabelCooccurrence FromLabels(IReadOnlyList<string> labels, IEnumerable<MultiLabel> rows)
    {
        var c = labels.Count;
        var nums = new long[c];
        var adj = new long[c, c];
        var on = new List<int>(c);
        foreach (var r in rows)
        {
            if (r.Count != c) throw new ArgumentException($"a label row has {r.Count} labels, expected {c}");
            on.Clear();
            for (var i = 0; i < c; i++) if (r.Positive[i]) on.Add(i);
            foreach (var i in on)
            {
                nums[i]++;
                foreach (var j in on) if (j != i) adj[i, j]++;
            }
        }
        return new LabelCooccurrence(labels, nums, adj);
    }

    /// <summary>From the training items of a split.</summary>
    public static LabelCooccurrence FromTraining(IMultiLabelDataset pool, RetrievalSplit split) =>
        FromLabels(pool.LabelNames, split.Train.Select(i => pool[i].Labels));

    /// <summary>
    /// The official MIRFLICKR graph counts every labelled image, test included. Only on explicit request.
    /// </summary>
    public static LabelCooccurrence FromAllImagesIncludingTest(IMultiLabelDataset pool) =>
        FromLabels(pool.LabelNames, Enumerable.Range(0, pool.Count).Select(i => pool[i].Labels));

    /// <summary>Reads `{labels, nums, adj}` JSON (cooccurrence_lah.json); counts must be whole numbers.</summary>
    public static LabelCooccurrence ReadJson(string path)
    {
        if (!DataFile.Exists(path)) throw new FileNotFoundException($"co-occurrence file not found: {path}", path);
        using var doc = ParseJson(path);
        var root = doc.RootElement;
        var labels = Field(root, path, "labels").EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
        var c = labels.Length;
        var nums = Field(root, path, "nums").EnumerateArray().Select(e => Count(e, path, "nums")).ToArray();
        if (nums.Length != c) throw new DataFormatException($"{path}: \"nums\" has {nums.Length} entries, expected {c}");
        var rows = Field(root, path, "adj").EnumerateArray().ToArray();
        if (rows.Length != c) throw new DataFormatException($"{path}: \"adj\" has {rows.Length} rows, expected {c}");
        var adj = new long[c, c];
        for (var i = 0; i < c; i++)
        {
            var row = rows[i].EnumerateArray().ToArray();
            if (row.Length != c) throw new DataFormatException($"{path}: \"adj\" row {i} has {row.Length} entries, expected {c}");
            for (var j = 0; j < c; j++) adj[i, j] = Count(row[j], path, $"adj[{i}][{j}]");
        }
        return new LabelCooccurrence(labels, nums, adj);
    }

    public void WriteJson(string path)
    {
        var c = Labels.Count;
        var o = new
        {
            labels = Labels,
            nums = Nums,
            adj = Enumerable.Range(0, c).Select(i => Enumerable.Range(0, c).Select(j => Adj[i, j]).ToArray()).ToArray(),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(o));
    }

    /// <summary>P(j | i) = adj[i,j] / nums[i] (0 where label i never occurs).</summary>
    public double Conditional(int j, int i) => Nums[i] == 0 ? 0 : (double)Adj[i, j] / Nums[i];

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(DataFile.ReadAllBytes(path, "co-occurrence file"));
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{path}: malformed JSON: {e.Message}", e);
        }
    }

    private static JsonElement Field(JsonElement root, string path, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array
            ? e
            : throw new DataFormatException($"{path}: missing array \"{name}\"");

    private static long Count(JsonElement e, string path, string where)
    {
        var d = e.GetDouble();
        if (d < 0 || d != Math.Floor(d)) throw new DataFormatException($"{path}: {where} = {d} is not a count");
        return (long)d;
    }
}
