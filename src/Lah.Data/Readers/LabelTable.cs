namespace Lah.Data;

/// <summary>
/// Image names and their labels as read from a label file, before images are attached. <see cref="Lines"/>, where the
/// reader knows them, holds each row's 1-based line in the file, so later checks (duplicates, missing images) can
/// point at it.
/// </summary>
public sealed record LabelTable(IReadOnlyList<string> LabelNames, IReadOnlyList<string> Names, IReadOnlyList<MultiLabel> Labels,
    IReadOnlyList<int>? Lines = null)
{
    public int Count => Names.Count;

    /// <summary>The line of row <paramref name="row"/> (0 when the reader does not track lines).</summary>
    public int LineOf(int row) => Lines is null ? 0 : Lines[row];

    public MultiLabelDataset ToDataset(string datasetName, Func<string, ImageSource> image) =>
        new(datasetName, LabelNames, Names.Select((n, i) => new DatasetItem(n, image(n), Labels[i])));
}
