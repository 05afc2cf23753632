using Lah.Data;

namespace Lah.Training.Batches;

/// <summary>
/// End to end and pre-training: images decoded and augmented by the <see cref="DataLoader"/>'s workers. Order and
/// augmentation are functions of (seed, epoch, item), so a resumed epoch rebuilds exactly the batches it would have seen.
/// </summary>
public sealed class ImageBatches(DataLoader loader) : IBatchSource
{
    public DataLoader Loader { get; } = loader;

    public int Count => Loader.Count;
    public int LabelCount => Loader.LabelCount;
    public int BatchCount => Loader.BatchCount;

    public IEnumerable<TrainingBatch> Epoch(int epoch, int from = 0)
    {
        // From the start the workers prefetch; inside an epoch (a resume) the same batches are built in order.
        var batches = from == 0 ? Loader.Epoch(epoch) : Resume(epoch, from);
        foreach (var b in batches)
            yield return new TrainingBatch(b.Number, b.Indices, b.Images, [b.Size, 3, b.Height, b.Width], b.Labels, b.LabelCount);
    }

    private IEnumerable<Batch> Resume(int epoch, int from)
    {
        var order = Loader.Order(epoch);
        for (int b = from; b < Loader.BatchCount; b++) yield return Loader.BuildBatch(epoch, order, b);
    }
}
