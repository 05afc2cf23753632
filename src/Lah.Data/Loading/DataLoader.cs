namespace Lah.Data;

/// <summary>
/// Batches of transformed images from worker threads through a bounded prefetch queue. The order (a permutation
/// from (seed, epoch)) and every item's augmentation (an Rng from (seed, epoch, item index)) do not depend on the
/// number of workers or on timing, so an epoch is reproducible exactly.
/// </summary>
public sealed class DataLoader
{
    private readonly IMultiLabelDataset _dataset;
    private readonly int[] _indices;
    private readonly ImageTransform _transform;

    public DataLoader(IMultiLabelDataset dataset, IReadOnlyList<int>? indices, ImageTransform transform, int batchSize,
        bool shuffle, ulong seed, int workers = 2, int prefetch = 4, bool dropLast = false, int rank = 0, int worldSize = 1)
    {
        if (worldSize < 1 || rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of world size {worldSize}: expected 0 ≤ rank < world size");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {batchSize} must be positive");
        if (workers < 0) throw new ArgumentOutOfRangeException(nameof(workers), $"{workers} workers");
        if (prefetch <= 0) throw new ArgumentOutOfRangeException(nameof(prefetch), $"prefetch {prefetch} must be positive");
        _dataset = dataset;
        _indices = indices?.ToArray() ?? Enumerable.Range(0, dataset.Count).ToArray();
        _transform = transform;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        Workers = workers;
        Prefetch = prefetch;
        DropLast = dropLast;
        Rank = rank;
        WorldSize = worldSize;
    }

    public int BatchSize { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public int Workers { get; }
    public int Prefetch { get; }
    public bool DropLast { get; }
    /// <summary>Data-parallel rank: batch k is this rank's slice of global batch k (see <see cref="BatchSharding"/>).</summary>
    public int Rank { get; }
    public int WorldSize { get; }
    public int Count => _indices.Length;
    public int LabelCount => _dataset.LabelNames.Count;

    public int BatchCount => BatchSharding.BatchCount(Count, BatchSize, WorldSize, DropLast);

    /// <summary>The dataset indices of an epoch, in the order they will be served.</summary>
    public int[] Order(int epoch)
    {
        var order = (int[])_indices.Clone();
        if (Shuffle) Rng.For(Seed, (ulong)epoch, 0x5EED).Shuffle(order);
        return order;
    }

    /// <summary>Builds batch <paramref name="number"/> of an epoch (what the workers call).</summary>
    public Batch BuildBatch(int epoch, int[] order, int number)
    {
        var (start, n) = BatchSharding.Slice(order.Length, BatchSize, Rank, WorldSize, number);
        var idx = order.AsSpan(start, n).ToArray();
        var c = _dataset.LabelNames.Count;
        var len = _transform.OutputLength;
        var images = new float[n * len];
        var labels = new float[n * c];
        var difficult = new float[n * c];
        var ids = new string[n];
        for (var b = 0; b < n; b++)
        {
            var item = _dataset[idx[b]];
            ids[b] = item.Id;
            var rng = Rng.For(Seed, (ulong)epoch, (ulong)idx[b]);
            try
            {
                _transform.Apply(item.Image, rng, images.AsSpan(b * len, len));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"{_dataset.Name}: loading item {idx[b]} ('{item.Id}') failed: {e.Message}", e);
            }
            for (var k = 0; k < c; k++)
            {
                labels[b * c + k] = item.Labels.Positive[k] || item.Labels.Difficult[k] ? 1f : 0f;
                difficult[b * c + k] = item.Labels.Difficult[k] ? 1f : 0f;
            }
        }
        return new Batch(number, idx, ids, images, _transform.Size, _transform.Size, labels, difficult, c);
    }

    /// <summary>The batches of one epoch, in order. Leaving the loop early stops the workers.</summary>
    public IEnumerable<Batch> Epoch(int epoch, CancellationToken cancel = default)
    {
        var order = Order(epoch);
        var total = BatchCount;
        if (Workers == 0)
        {
            for (var b = 0; b < total; b++) yield return BuildBatch(epoch, order, b);
            yield break;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var slots = new SemaphoreSlim(Prefetch);
        var results = new Batch?[total];
        Exception? error = null;
        var gate = new object();
        var next = -1;
        var threads = new Thread[Math.Min(Workers, Math.Max(total, 1))];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                try
                {
                    while (true)
                    {
                        // A slot before a claim: claims are in order, so the oldest unserved batch always has one.
                        slots.Wait(cts.Token);
                        var b = Interlocked.Increment(ref next);
                        if (b >= total) return;
                        var batch = BuildBatch(epoch, order, b);
                        lock (gate)
                        {
                            results[b] = batch;
                            Monitor.PulseAll(gate);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception e)
                {
                    lock (gate)
                    {
                        error ??= e;
                        Monitor.PulseAll(gate);
                    }
                }
            })
            { IsBackground = true, Name = $"lah-loader-{t}" };
            threads[t].Start();
        }

        try
        {
            for (var b = 0; b < total; b++)
            {
                Batch batch;
                lock (gate)
                {
                    while (results[b] is null && error is null)
                    {
                        cts.Token.ThrowIfCancellationRequested();
                        Monitor.Wait(gate, 100);
                    }
                    if (results[b] is null) throw new InvalidOperationException(error!.Message, error);
                    batch = results[b]!;
                    results[b] = null;
                }
                slots.Release();
                yield return batch;
            }
        }
        finally
        {
            cts.Cancel();
            foreach (var t in threads) t.Join();
        }
    }
}
