namespace Lah.Data;

/// <summary>
/// Batches of transformed images from worker threads through a bounded prefetch queue. The order (a permutation
/// from (seed, epoch)) and every item's augmentation (an Rng from (seed, epoch, item index)) do not depend on the
/// number of workers or on timing, so an epoch is reproducible exactly, and resumable at any batch.
/// </summary>
public sealed class DataLoader
{
    private readonly IMultiLabelDataset _dataset;
    private readonly int[] _indices;
    private readonly ImageTransform _transform;
    private readonly Stack<float[]> _spare = new(); // full batches' image buffers handed back by Return

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

    /// <summary>Builds batch <paramref name="number"/> of an epoch on the calling thread (what resuming and 0 workers use).</summary>
    public Batch BuildBatch(int epoch, int[] order, int number)
    {
        var batch = NewBatch(order, number);
        for (var b = 0; b < batch.Size; b++) FillRow(epoch, batch, b);
        return batch;
    }

    /// <summary>A batch's arrays with its indices and ids; the image and label rows are written by <see cref="FillRow"/>.</summary>
    private Batch NewBatch(int[] order, int number)
    {
        var (start, n) = BatchSharding.Slice(order.Length, BatchSize, Rank, WorldSize, number);
        var idx = order.AsSpan(start, n).ToArray();
        var c = _dataset.LabelNames.Count;
        float[]? images = null;
        if (n == BatchSize)
            lock (_spare)
                _spare.TryPop(out images);
        // Uninitialised: FillRow writes every float of its row, and zeroing tens of megabytes per batch is wasted work.
        images ??= GC.AllocateUninitializedArray<float>(n * _transform.OutputLength);
        return new Batch(number, idx, new string[n], images, _transform.Size, _transform.Size, new float[n * c], new float[n * c], c);
    }

    /// <summary>
    /// Hands a served batch's image buffer back, for a later full batch of this loader to fill: call it once the images
    /// have been copied (into a tensor) and the batch's <see cref="Batch.Images"/> will not be read again. Optional, but
    /// without it every batch is fresh memory (tens of megabytes at 448², page faults in every worker).
    /// </summary>
    public void Return(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Images.Length != BatchSize * _transform.OutputLength) return; // a last, partial batch: not kept
        lock (_spare)
        {
            if (_spare.Any(s => ReferenceEquals(s, batch.Images)))
                throw new InvalidOperationException($"batch {batch.Number} was returned twice: its buffer is already waiting for reuse");
            // Enough for every batch that can be in flight at once; more would only hold memory.
            if (_spare.Count < Prefetch + Workers + 1) _spare.Push(batch.Images);
        }
    }

    /// <summary>Row <paramref name="row"/> of a batch: the item's id, transformed image and labels. Rows are independent.</summary>
    private void FillRow(int epoch, Batch batch, int row)
    {
        var index = batch.Indices[row];
        var item = _dataset[index];
        batch.Ids[row] = item.Id;
        var len = _transform.OutputLength;
        try
        {
            _transform.Apply(item.Image, Rng.For(Seed, (ulong)epoch, (ulong)index), batch.Images.AsSpan(row * len, len));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{_dataset.Name}: loading item {index} ('{item.Id}') failed: {e.Message}", e);
        }
        var c = batch.LabelCount;
        for (var k = 0; k < c; k++)
        {
            batch.Labels[row * c + k] = item.Labels.Positive[k] || item.Labels.Difficult[k] ? 1f : 0f;
            batch.Difficult[row * c + k] = item.Labels.Difficult[k] ? 1f : 0f;
        }
    }

    /// <summary>The batches of one epoch, in order. Leaving the loop early stops the workers.</summary>
    public IEnumerable<Batch> Epoch(int epoch, CancellationToken cancel = default) => Epoch(epoch, 0, cancel);

    /// <summary>
    /// The batches of one epoch from batch <paramref name="from"/> on (resuming inside an epoch): the same batches,
    /// pixel for pixel, as <see cref="BuildBatch"/> over <see cref="Order"/>, whatever the number of workers.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int from, CancellationToken cancel = default)
    {
        var total = BatchCount;
        if (from < 0 || from > total) throw new ArgumentOutOfRangeException(nameof(from), $"batch {from} of an epoch of {total}");
        return Workers == 0 ? Serial(epoch, from, cancel) : Threaded(epoch, from, cancel);
    }

    private IEnumerable<Batch> Serial(int epoch, int from, CancellationToken cancel)
    {
        var order = Order(epoch);
        for (var b = from; b < BatchCount; b++)
        {
            cancel.ThrowIfCancellationRequested();
            yield return BuildBatch(epoch, order, b);
        }
    }

    /// <summary>
    /// Workers claim single rows, not whole batches, in the epoch's order (batch by batch, row by row), and write each
    /// into its batch's buffer; the worker finishing a batch's last row hands it over. So every worker is busy until
    /// the epoch's last few rows, whatever the batch size, and the first batch is ready after batchSize/workers rows.
    /// A batch is started only when fewer than <see cref="Prefetch"/> batches are ahead of the consumer.
    /// </summary>
    private IEnumerable<Batch> Threaded(int epoch, int from, CancellationToken cancel)
    {
        var order = Order(epoch);
        var total = BatchCount;
        var count = total - from;
        // rowStart[i]: the first claim number of batch from + i (claims number the epoch's remaining rows 0, 1, …).
        var rowStart = new long[count + 1];
        for (var i = 0; i < count; i++)
            rowStart[i + 1] = rowStart[i] + BatchSharding.Slice(order.Length, BatchSize, Rank, WorldSize, from + i).Length;
        var rows = rowStart[count];

        var gate = new object();
        var pending = new Assembly?[count];
        var served = 0; // batches handed to the consumer (relative to from)
        var stop = false;
        Exception? crash = null; // a failure outside any row (a row's failure belongs to its batch)
        long claimed = -1;

        void Work()
        {
            try
            {
                var i = 0;
                while (true)
                {
                    var k = Interlocked.Increment(ref claimed);
                    if (k >= rows) return;
                    while (rowStart[i + 1] <= k) i++; // claims only grow, so this thread's batch cursor only moves on
                    Assembly a;
                    lock (gate)
                    {
                        // The oldest unserved batch is always admitted, and its rows were claimed before any later one.
                        while (i >= served + Prefetch && !stop) Monitor.Wait(gate);
                        if (stop) return;
                        a = pending[i] ??= new Assembly(NewBatch(order, from + i));
                    }
                    var row = (int)(k - rowStart[i]);
                    try
                    {
                        FillRow(epoch, a.Batch, row);
                    }
                    catch (Exception e)
                    {
                        lock (a) // the serial path would fail on the batch's first failing row
                            if (a.Error is null || row < a.ErrorRow) (a.Error, a.ErrorRow) = (e, row);
                    }
                    if (Interlocked.Decrement(ref a.Remaining) == 0)
                        lock (gate)
                        {
                            a.Done = true;
                            Monitor.PulseAll(gate);
                        }
                }
            }
            catch (Exception e)
            {
                lock (gate)
                {
                    crash ??= e;
                    Monitor.PulseAll(gate);
                }
            }
        }

        var threads = new Thread[(int)Math.Min(Workers, Math.Max(rows, 1))];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(Work) { IsBackground = true, Name = $"lah-loader-{t}" };
            threads[t].Start();
        }
        var wake = cancel.Register(() =>
        {
            lock (gate) Monitor.PulseAll(gate);
        });
        try
        {
            for (var i = 0; i < count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                Batch batch;
                lock (gate)
                {
                    if (rowStart[i + 1] == rowStart[i]) pending[i] = new Assembly(NewBatch(order, from + i)) { Done = true }; // no rows
                    while (pending[i] is not { Done: true } && crash is null)
                    {
                        Monitor.Wait(gate);
                        cancel.ThrowIfCancellationRequested();
                    }
                    var a = pending[i];
                    if (a is not { Done: true }) throw new InvalidOperationException(crash!.Message, crash);
                    if (a.Error is not null) throw new InvalidOperationException(a.Error.Message, a.Error);
                    batch = a.Batch;
                    pending[i] = null;
                    served++;
                    Monitor.PulseAll(gate);
                }
                yield return batch;
            }
        }
        finally
        {
            wake.Dispose();
            lock (gate)
            {
                stop = true;
                Monitor.PulseAll(gate);
            }
            foreach (var t in threads) t.Join();
        }
    }

    /// <summary>A batch being filled by the workers: rows still to write, and the first failing row's error.</summary>
    private sealed class Assembly(Batch batch)
    {
        public Batch Batch { get; } = batch;
        public int Remaining = batch.Size;
        public bool Done;
        public Exception? Error;
        public int ErrorRow;
    }
}
