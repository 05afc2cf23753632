namespace Lah.Training.Batches;

/// <summary>
/// Where the loop's batches come from: cached feature rows (<see cref="FeatureBatches"/>) or images decoded and
/// augmented by the loader (<see cref="ImageBatches"/>). An epoch's order is a function of (seed, epoch) alone and each
/// rank gets its slice of every global batch (<see cref="Lah.Data.BatchSharding"/>), so an epoch can be resumed at any
/// batch and gives the same batches whatever ran before.
/// </summary>
public interface IBatchSource
{
    /// <summary>Items of the training set (all ranks together).</summary>
    int Count { get; }

    /// <summary>Label columns of every batch.</summary>
    int LabelCount { get; }

    /// <summary>This rank's batches per epoch.</summary>
    int BatchCount { get; }

    /// <summary>This rank's batches of <paramref name="epoch"/>, from batch <paramref name="from"/> on, in order.</summary>
    IEnumerable<TrainingBatch> Epoch(int epoch, int from = 0);
}
