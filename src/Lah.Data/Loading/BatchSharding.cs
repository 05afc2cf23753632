namespace Lah.Data;

/// <summary>
/// How data-parallel ranks split an epoch: every rank draws the same permutation, global batch k is its rows
/// [k·B·W, (k+1)·B·W), and rank r takes the r-th contiguous slice of B rows of it. The union of the ranks' batches at a
/// step is then exactly the batch one process with batch B·W would see, so averaged gradients of a per-sample mean
/// loss match it. A last, partial global batch of n rows gives each rank ⌊n/W⌋ rows (the rest are dropped, so every
/// rank steps the same number of times and the slices stay equal).
/// </summary>
public static class BatchSharding
{
    /// <summary>Global batches of an epoch over <paramref name="count"/> rows (the last one may be partial).</summary>
    public static int BatchCount(int count, int batchSize, int worldSize, bool dropLast = false)
    {
        long global = (long)batchSize * worldSize;
        return (int)(dropLast ? count / global : (count + global - 1) / global);
    }

    /// <summary>This rank's rows of global batch <paramref name="number"/>: a start and a length into the epoch's order.</summary>
    public static (int Start, int Length) Slice(int count, int batchSize, int rank, int worldSize, int number)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), $"world size {worldSize} must be at least 1");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is outside 0..{worldSize - 1}");
        long start = (long)number * batchSize * worldSize;
        int n = (int)Math.Min((long)batchSize * worldSize, count - start);
        if (n <= 0) return ((int)Math.Min(start, count), 0);
        int per = n == batchSize * worldSize ? batchSize : n / worldSize;
        return ((int)start + rank * per, per);
    }
}
