using Lah.Data;
using Lah.Training.Inference;

namespace Lah.Training.Batches;

/// <summary>
/// Feature mode: batches of cached pooled features. Epoch e visits the rows in the permutation drawn from
/// <c>Rng.For(seed, e, …)</c> (no state carried between epochs, so a resumed epoch sees the same batches); rank r of W takes
/// its slice of every global batch of <see cref="BatchSize"/> × W rows.
/// </summary>
public sealed class FeatureBatches : IBatchSource
{
    private const ulong OrderKey = 0xFEA7;
    private readonly FeatureSet _data;

    public FeatureBatches(FeatureSet data, int batchSize, ulong seed, int rank = 0, int worldSize = 1)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {batchSize} must be positive");
        if (worldSize < 1 || rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of world size {worldSize}: expected 0 ≤ rank < world size");
        (_data, BatchSize, Seed, Rank, WorldSize) = (data, batchSize, seed, rank, worldSize);
    }

    public int BatchSize { get; }
    public ulong Seed { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    public int Count => _data.Count;
    public int LabelCount => _data.LabelCount;
    public int BatchCount => BatchSharding.BatchCount(_data.Count, BatchSize, WorldSize);

    /// <summary>The rows of an epoch in the order they are served (every rank draws the same).</summary>
    public int[] Order(int epoch) => Rng.For(Seed, OrderKey, (ulong)epoch).Permutation(_data.Count);

    public IEnumerable<TrainingBatch> Epoch(int epoch, int from = 0)
    {
        var order = Order(epoch);
        for (int b = from; b < BatchCount; b++)
        {
            var (start, length) = BatchSharding.Slice(_data.Count, BatchSize, Rank, WorldSize, b);
            var rows = order.AsSpan(start, length).ToArray();
            var (f, l) = _data.Gather(rows);
            yield return new TrainingBatch(b, rows, f, [rows.Length, _data.FeatureDim], l, _data.LabelCount);
        }
    }
}
