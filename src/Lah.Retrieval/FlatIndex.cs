using Lah.Retrieval.Kernels;

namespace Lah.Retrieval;

/// <summary>
/// Brute-force search over packed codes. Batches run several queries per pass over a cache-sized chunk of codes, so
/// the codes come from memory once per block of queries rather than once per query.
/// </summary>
public sealed class FlatIndex : IHammingIndex
{
    private const int QueriesPerPass = 16;
    private const int ChunkBytes = 4096;

    // The scanned storage: a PackedCodes' arrays, or the pages of a mapped index file (MappedIndex).
    private readonly PackedCodes? _codes;
    private readonly ReadOnlyMemory<ulong> _words;
    private readonly ReadOnlyMemory<long> _ids;
    private readonly int _wordsPerCode;

    public FlatIndex(PackedCodes codes, HammingKernel? kernel = null)
        : this((codes ?? throw new ArgumentNullException(nameof(codes))).Words, codes.Ids, codes.Bits, codes.Count, kernel) =>
        _codes = codes;

    internal FlatIndex(ReadOnlyMemory<ulong> words, ReadOnlyMemory<long> ids, int bits, int count, HammingKernel? kernel)
    {
        _words = words;
        _ids = ids;
        Bits = bits;
        Count = count;
        _wordsPerCode = PackedCodes.WordsFor(bits);
        Kernel = kernel ?? Hamming.Best;
        if (!Hamming.IsSupported(Kernel)) throw new PlatformNotSupportedException($"Hamming kernel {Kernel} is not supported by this CPU");
    }

    /// <summary>The indexed codes (an index over a mapped file has none: see <see cref="MappedIndex"/>).</summary>
    public PackedCodes Codes => _codes ?? throw new InvalidOperationException("this index scans a mapped file, not a PackedCodes");

    /// <summary>The Hamming kernel used.</summary>
    public HammingKernel Kernel { get; }

    public int Bits { get; }
    public int Count { get; }

    /// <summary>The k nearest codes, ties by id.</summary>
    public Neighbor[] Search(ReadOnlySpan<ulong> query, int k)
    {
        CheckQuery(query);
        CheckK(k);
        var c = new TopKCollector(k, Bits);
        Scan(query, 1, [c]);
        return c.Result(_ids.Span);
    }

    /// <summary>The k nearest codes of every query, ties by id, over up to <paramref name="threads"/> cores (≤ 0: all).</summary>
    public Neighbor[][] Search(PackedCodes queries, int k, int threads = 0)
    {
        CheckQueries(queries);
        CheckK(k);
        return Batch(queries, threads, () => new TopKCollector(k, Bits));
    }

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius)
    {
        CheckQuery(query);
        var c = new RadiusCollector(radius);
        Scan(query, 1, [c]);
        return c.Result(_ids.Span);
    }

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0)
    {
        CheckQueries(queries);
        return Batch(queries, threads, () => new RadiusCollector(radius));
    }

    /// <summary>
    /// Radius search for the <paramref name="nq"/> queries in <paramref name="queries"/> on the calling thread, one
    /// pass over the codes for all of them (for callers that spread blocks of queries over cores themselves).
    /// </summary>
    internal Neighbor[][] RadiusSearchBlock(ReadOnlySpan<ulong> queries, int nq, int radius)
    {
        var collectors = new Collector[nq];
        for (var i = 0; i < nq; i++) collectors[i] = new RadiusCollector(radius);
        Scan(queries, nq, collectors);
        var results = new Neighbor[nq][];
        for (var i = 0; i < nq; i++) results[i] = collectors[i].Result(_ids.Span);
        return results;
    }

    /// <summary>Hamming distances from <paramref name="query"/> to every indexed code.</summary>
    public void Distances(ReadOnlySpan<ulong> query, Span<int> distances)
    {
        CheckQuery(query);
        Hamming.Distances(Kernel, query, _words.Span, _wordsPerCode, distances);
    }

    private Neighbor[][] Batch(PackedCodes queries, int threads, Func<Collector> create)
    {
        var results = new Neighbor[queries.Count][];
        var w = _wordsPerCode;
        Parallelism.ForBlocks(queries.Count, QueriesPerPass, threads, (start, end) =>
        {
            var collectors = new Collector[end - start];
            for (var i = 0; i < collectors.Length; i++) collectors[i] = create();
            Scan(queries.Words.AsSpan(start * w, (end - start) * w), end - start, collectors);
            for (var i = 0; i < collectors.Length; i++) results[start + i] = collectors[i].Result(_ids.Span);
        });
        return results;
    }

    /// <summary>One pass over the codes for <paramref name="nq"/> queries, chunk by chunk.</summary>
    private void Scan(ReadOnlySpan<ulong> queries, int nq, Collector[] collectors)
    {
        var w = _wordsPerCode;
        var chunk = Math.Max(8, ChunkBytes / 8 / w);
        Span<int> dist = stackalloc int[chunk];
        var words = _words.Span;
        var fused = FusedScan.Handles(Kernel, w);
        for (var start = 0; start < Count; start += chunk)
        {
            var n = Math.Min(chunk, Count - start);
            var codes = words.Slice(start * w, n * w);
            for (var q = 0; q < nq; q++)
            {
                if (fused)
                {
                    FusedScan.Offer(collectors[q], queries.Slice(q * w, w), codes, w, start);
                    continue;
                }
                Hamming.Distances(Kernel, queries.Slice(q * w, w), codes, w, dist);
                collectors[q].Offer(dist[..n], start);
            }
        }
    }

    private void CheckQuery(ReadOnlySpan<ulong> query)
    {
        if (query.Length != _wordsPerCode)
            throw new ArgumentException($"query has {query.Length} words, the index holds {Bits}-bit codes of {_wordsPerCode} words", nameof(query));
    }

    private void CheckQueries(PackedCodes queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Bits != Bits)
            throw new ArgumentException($"queries are {queries.Bits}-bit codes, the index holds {Bits}-bit codes", nameof(queries));
    }

    private static void CheckK(int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 0");
    }
}
