namespace Lah.Data;

/// <summary>Image names and their labels as read from a label file, before images are attached.</summary>
public sealed record LabelTable(IReadOnlyList<string> LabelNames, IReadOnlyList<string> Names, IReadOnlyList<MultiLabel> Labels)
{
    public int Count => Names.Count;

    public MultiLabelDataset ToDataset(string datasetName, Func<string, ImageSource> image) =>
        new(datasetName, LabelNames, Names.Select((n, i) => new DatasetItem(n, image(n), Labels[i])));
}
