using Lah.Data;

namespace Lah.Training.Batches;

/// <summary>
/// End to end and pre-training: images decoded and augmented by the <see cref="DataLoader"/>'s workers. Order and
/// augmentation are functions of (seed, epoch, item), so a resumed epoch rebuilds exactly the batches it would have seen.
/// A batch's image buffer goes back to the loader once the loop has copied it (<see cref="TrainingBatch.Release"/>).
/// </summary>
public sealed class ImageBatches(DataLoader loader) : IBatchSource
{
    public DataLoader Loader { get; } = loader;

    public int Count => Loader.Count;
    public int LabelCount => Loader.LabelCount;
    public int BatchCount => Loader.BatchCount;

    public IEnumerable<TrainingBatch> Epoch(int epoch, int from = 0)
    {
        // The workers prefetch from any batch on, so a resumed epoch loads as fast as a fresh one.
        foreach (var b in Loader.Epoch(epoch, from))
            yield return new TrainingBatch(b.Number, b.Indices, b.Images, [b.Size, 3, b.Height, b.Width], b.Labels, b.LabelCount)
            {
                Release = () => Loader.Return(b),
            };
    }
}
