namespace Lah.Data;

/// <summary>The one interface every dataset (real or embedded) exposes to splits, graph inputs and the loader.</summary>
public interface IMultiLabelDataset
{
    string Name { get; }
    IReadOnlyList<string> LabelNames { get; }
    int Count { get; }
    DatasetItem this[int index] { get; }
}
