namespace Lah.Data;

/// <summary>A dataset held as a list of items (what every reader returns).</summary>
public sealed class MultiLabelDataset : IMultiLabelDataset
{
    private readonly DatasetItem[] _items;

    public MultiLabelDataset(string name, IReadOnlyList<string> labelNames, IEnumerable<DatasetItem> items)
    {
        Name = name;
        LabelNames = labelNames;
        _items = items.ToArray();
        foreach (var it in _items)
            if (it.Labels.Count != labelNames.Count)
                throw new ArgumentException($"{name}: item '{it.Id}' has {it.Labels.Count} labels, dataset has {labelNames.Count}");
    }

    public string Name { get; }
    public IReadOnlyList<string> LabelNames { get; }
    public int Count => _items.Length;
    public DatasetItem this[int index] => _items[index];

    /// <summary>This dataset followed by others with the same label names (e.g. trainval ‖ test as one pool).</summary>
    public static MultiLabelDataset Concat(string name, params IMultiLabelDataset[] parts)
    {
        foreach (var p in parts)
            if (!p.LabelNames.SequenceEqual(parts[0].LabelNames))
                throw new ArgumentException($"cannot concatenate {p.Name}: its label names differ from {parts[0].Name}'s");
        return new MultiLabelDataset(name, parts[0].LabelNames,
            parts.SelectMany(p => Enumerable.Range(0, p.Count).Select(i => p[i])));
    }

    public static MultiLabelDataset Subset(IMultiLabelDataset d, IEnumerable<int> indices, string? name = null) =>
        new(name ?? d.Name, d.LabelNames, indices.Select(i => d[i]));
}
