using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lah.Retrieval;

/// <summary>
/// What a multi-index does with the keys <see cref="MultiIndexProbing"/> hands it: find table t's bucket of a key and
/// verify the codes there. Implemented by a struct per index, so the probing code is compiled for each and the calls
/// are direct.
/// </summary>
internal interface IMultiIndexBuckets
{
    /// <summary>Starts a query: forgets the previous query's hits.</summary>
    void Clear();

    /// <summary>
    /// Verifies the bucket of <paramref name="key"/> in table <paramref name="t"/>: a code there is a hit when it is
    /// within <paramref name="radius"/> of <paramref name="query"/>, its substring t is <paramref name="key"/>, and no
    /// earlier table reaches it (<see cref="MultiIndexProbing.ReachedEarlier(ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, int)"/>
    /// with the query's keys <paramref name="qkeys"/> and <paramref name="s"/> flips per table).
    /// </summary>
    void Visit(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int radius, int s);

    /// <summary>Asks the cache for where the bucket of <paramref name="key"/> in table t starts (a hint only).</summary>
    void PrefetchBounds(int t, ulong key);

    /// <summary>Asks the cache for the first entries of that bucket (a hint only).</summary>
    void PrefetchBucket(int t, ulong key);

    /// <summary>The query's hits, sorted as the index promises.</summary>
    Neighbor[] Take();
}

/// <summary>
/// The probing half of multi-index hashing (Norouzi et al.), shared by <see cref="MultiIndexHashing"/> and
/// <see cref="ShardedMultiIndexHashing"/>: how K bits are cut into m contiguous substrings, which keys a radius-r query
/// looks up (in each table every key within s = ⌊r/m⌋ flips of its own substring: by the pigeonhole principle a code
/// within r differs from the query in at most s bits of some substring), when those lookups would outnumber the codes
/// (then a flat scan answers), whether a candidate was already reachable from an earlier table (so each hit is
/// reported once), and the batch driver. Where a key's bucket lives and what it holds is each index's own
/// (<see cref="IMultiIndexBuckets"/>).
/// </summary>
internal sealed class MultiIndexProbing
{
    private readonly int[] _starts, _lengths;
    private readonly ulong[] _masks;

    /// <param name="tables">m; each substring must be at most 64 bits.</param>
    public MultiIndexProbing(int bits, int count, int tables)
    {
        if (tables <= 0 || tables > bits || (bits + tables - 1) / tables > 64)
            throw new ArgumentOutOfRangeException(nameof(tables), tables,
                $"need 1..{bits} tables with substrings of at most 64 bits for {bits}-bit codes");
        Bits = bits;
        Words = PackedCodes.WordsFor(bits);
        Count = count;
        _starts = new int[tables];
        _lengths = new int[tables];
        _masks = new ulong[tables];
        for (int t = 0, start = 0; t < tables; t++)
        {
            int len = bits / tables + (t < bits % tables ? 1 : 0);
            _starts[t] = start;
            _lengths[t] = len;
            _masks[t] = len == 64 ? ulong.MaxValue : (1UL << len) - 1;
            start += len;
        }
    }

    public int Bits { get; }
    public int Words { get; }
    public int Count { get; }
    public int Tables => _starts.Length;

    /// <summary>First bit of substring t.</summary>
    public int Start(int t) => _starts[t];

    /// <summary>Length of substring t in bits.</summary>
    public int Length(int t) => _lengths[t];

    /// <summary>Bits [start, start + len) of a packed code (len ≤ 64).</summary>
    public static ulong Substring(ReadOnlySpan<ulong> code, int start, int len)
    {
        int w = start >> 6, o = start & 63;
        ulong v = code[w] >> o;
        if (o + len > 64) v |= code[w + 1] << (64 - o);
        return len == 64 ? v : v & ((1UL << len) - 1);
    }

    /// <summary>Substring t of a code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Key(ReadOnlySpan<ulong> code, int t) => Substring(code, _starts[t], _lengths[t]);

    /// <summary>Substring t of a one-word code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Key(ulong code, int t) => (code >> _starts[t]) & _masks[t];

    /// <summary>Every substring of a code.</summary>
    public void Keys(ReadOnlySpan<ulong> code, Span<ulong> keys)
    {
        for (int t = 0; t < _starts.Length; t++) keys[t] = Key(code, t);
    }

    /// <summary>
    /// Whether a code found in table t is reachable from an earlier table u &lt; t (its substring u within
    /// <paramref name="s"/> flips of the query's <paramref name="qkeys"/>[u]): then that table reports it.
    /// </summary>
    public bool ReachedEarlier(ReadOnlySpan<ulong> code, ReadOnlySpan<ulong> qkeys, int t, int s)
    {
        for (int u = 0; u < t; u++)
            if (BitOperations.PopCount(Key(code, u) ^ qkeys[u]) <= s) return true;
        return false;
    }

    /// <inheritdoc cref="ReachedEarlier(ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReachedEarlier(ulong code, ReadOnlySpan<ulong> qkeys, int t, int s)
    {
        for (int u = 0; u < t; u++)
            if (BitOperations.PopCount(Key(code, u) ^ qkeys[u]) <= s) return true;
        return false;
    }

    /// <summary>Keys a query looks up with <paramref name="s"/> flips per table: Σ_t Σ_{k ≤ s} C(len_t, k), saturating.</summary>
    public long Probes(int s)
    {
        long total = 0;
        foreach (var len in _lengths)
        {
            long binomial = 1;
            for (int k = 0; k <= Math.Min(s, len); k++)
            {
                if (k > 0) binomial = binomial * (len - k + 1) / k;
                total += binomial;
                if (total > int.MaxValue || binomial > int.MaxValue) return long.MaxValue;
            }
        }
        return total;
    }

    /// <summary>Whether a radius is better answered by a flat scan: its probes would outnumber the codes.</summary>
    private bool FlatIsCheaper(int radius) => Probes(radius / Tables) >= Count;

    /// <summary>One query: checked, then probed, or answered by <paramref name="flat"/> where that is cheaper.</summary>
    public Neighbor[] RadiusSearch<T>(ReadOnlySpan<ulong> query, int radius, IHammingIndex flat, T buckets)
        where T : struct, IMultiIndexBuckets
    {
        if (query.Length != Words)
            throw new ArgumentException($"query: {query.Length} words, the index holds {Bits}-bit codes ({Words} words)", nameof(query));
        if (radius < 0) return [];
        // (Probing would look up more keys than there are codes: a flat scan of the same codes gives the same set.)
        if (FlatIsCheaper(radius)) return flat.RadiusSearch(query, radius);
        return Probe(query, radius, ref buckets);
    }

    /// <summary>
    /// Every query of a batch over up to <paramref name="threads"/> cores; <paramref name="buckets"/> makes the
    /// buckets one core works with (called once per block of queries, on that core).
    /// </summary>
    public Neighbor[][] RadiusSearch<T>(PackedCodes queries, int radius, int threads, IHammingIndex flat, Func<T> buckets)
        where T : struct, IMultiIndexBuckets
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Bits != Bits)
            throw new ArgumentException($"queries: {queries.Bits}-bit codes, the index holds {Bits}-bit codes", nameof(queries));
        if (radius >= 0 && FlatIsCheaper(radius)) return flat.RadiusSearch(queries, radius, threads);
        var results = new Neighbor[queries.Count][];
        // A query costs a few hundred nanoseconds: hand out blocks, not single queries, to the cores.
        Parallelism.ForBlocks(queries.Count, 256, threads, (from, to) =>
        {
            var b = buckets();
            if (radius < 0)
                for (int i = from; i < to; i++) results[i] = [];
            else if (radius < Tables) ExactKeys(queries, from, to, radius, results, ref b);
            else
                for (int i = from; i < to; i++) results[i] = Probe(queries.Code(i), radius, ref b);
        });
        return results;
    }

    private Neighbor[] Probe<T>(ReadOnlySpan<ulong> query, int radius, ref T buckets) where T : struct, IMultiIndexBuckets
    {
        int s = radius / Tables;
        Span<ulong> qkeys = stackalloc ulong[Tables];
        Keys(query, qkeys);
        buckets.Clear();
        for (int t = 0; t < Tables; t++) Probe(query, qkeys, t, qkeys[t], Math.Min(s, _lengths[t]), 0, radius, s, ref buckets);
        return buckets.Take();
    }

    // Visits every key within `flips` more bit flips of `key` (flipping bits at or above `from`, so each once).
    private void Probe<T>(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int flips, int from,
        int radius, int s, ref T buckets) where T : struct, IMultiIndexBuckets
    {
        buckets.Visit(query, qkeys, t, key, radius, s);
        if (flips == 0) return;
        for (int b = from; b < _lengths[t]; b++)
            Probe(query, qkeys, t, key ^ (1UL << b), flips - 1, b + 1, radius, s, ref buckets);
    }

    private const int Group = 16; // queries whose table lookups are in flight together

    // radius < m: every table is probed with the query's own substring only (⌊r/m⌋ = 0 flips). Each lookup is a few
    // dependent cache misses (bucket bounds, then the bucket's entries); prefetching them for a group of queries first
    // lets the misses of different queries overlap instead of queueing one after another.
    private void ExactKeys<T>(PackedCodes queries, int from, int to, int radius, Neighbor[][] results, ref T buckets)
        where T : struct, IMultiIndexBuckets
    {
        int m = Tables;
        Span<ulong> keys = Group * m <= 512 ? stackalloc ulong[Group * m] : new ulong[Group * m]; // up to 1,024 tables
        for (int g = from; g < to; g += Group)
        {
            int count = Math.Min(Group, to - g);
            for (int q = 0; q < count; q++)
            {
                Keys(queries.Code(g + q), keys.Slice(q * m, m));
                for (int t = 0; t < m; t++) buckets.PrefetchBounds(t, keys[q * m + t]);
            }
            for (int i = 0; i < count * m; i++) buckets.PrefetchBucket(i % m, keys[i]);
            for (int q = 0; q < count; q++)
            {
                var query = queries.Code(g + q);
                var qkeys = keys.Slice(q * m, m);
                buckets.Clear();
                for (int t = 0; t < m; t++) buckets.Visit(query, qkeys, t, qkeys[t], radius, 0);
                results[g + q] = buckets.Take();
            }
        }
    }
}
