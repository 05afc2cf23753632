using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval;

/// <summary>
/// Exact radius search by multi-index hashing (Norouzi et al.): the K bits are cut into m contiguous substrings,
/// each with its own hash table. If two codes are within r, by the pigeonhole principle some substring differs in at
/// most ⌊r/m⌋ bits, so probing every table with the keys within ⌊r/m⌋ of the query's substring and verifying the
/// full distance finds exactly the brute-force result set. A candidate found in table t is skipped when an earlier
/// table already produced it, so each hit appears once. Results are sorted by (distance, id), as
/// <see cref="FlatIndex"/> sorts them.
/// </summary>
public sealed class MultiIndexHashing : IHammingIndex
{
    private const int DirectBits = 24; // substrings at most this long may use a direct-address table…
    private const int DirectSlotsPerCode = 16; // …when it has at most this many slots per code (else a hash table)
    private readonly Table[] _tables;
    private FlatIndex? _flat; // for radii whose probes would outnumber the codes

    public PackedCodes Codes { get; }
    public int Bits => Codes.Bits;
    public int Count => Codes.Count;
    public int Tables => _tables.Length;

    /// <summary>How many tables are direct-address arrays (short substrings, dense enough); the rest are hash tables.</summary>
    public int DirectTables => _tables.Count(t => t.Direct);

    /// <param name="tables">m, the number of substrings; each must be at most 64 bits (faiss uses 3 × 21 for 64-bit codes).</param>
    public MultiIndexHashing(PackedCodes codes, int tables)
    {
        if (tables <= 0 || tables > codes.Bits || (codes.Bits + tables - 1) / tables > 64)
            throw new ArgumentOutOfRangeException(nameof(tables), tables,
                $"need 1..{codes.Bits} tables with substrings of at most 64 bits for {codes.Bits}-bit codes");
        Codes = codes;
        _tables = new Table[tables];
        int start = 0;
        for (int t = 0; t < tables; t++)
        {
            int len = codes.Bits / tables + (t < codes.Bits % tables ? 1 : 0);
            _tables[t] = new Table(codes, start, len);
            start += len;
        }
    }

    internal static ulong Substring(ReadOnlySpan<ulong> code, int start, int len)
    {
        int w = start >> 6, o = start & 63;
        ulong v = code[w] >> o;
        if (o + len > 64) v |= code[w + 1] << (64 - o);
        return len == 64 ? v : v & ((1UL << len) - 1);
    }

    private sealed class Table
    {
        public readonly int Start, Length;
        private readonly int[] _offsets;           // direct: key → [offsets[key], offsets[key+1])
        private readonly Dictionary<ulong, int>? _slots; // hashed: key → bucket number
        private readonly int[] _items;

        public Table(PackedCodes codes, int start, int length)
        {
            Start = start;
            Length = length;
            int n = codes.Count;
            var keys = new ulong[n];
            for (int i = 0; i < n; i++) keys[i] = Substring(codes.Code(i), start, length);
            _items = new int[n];
            if (length <= DirectBits && (1L << length) <= DirectSlotsPerCode * (long)Math.Max(n, 1024))
            {
                int slots = 1 << length;
                _offsets = new int[slots + 1];
                foreach (var k in keys) _offsets[k + 1]++;
                for (int k = 0; k < slots; k++) _offsets[k + 1] += _offsets[k]; // offsets[k] = start of bucket k
                for (int i = 0; i < n; i++) _items[_offsets[keys[i]]++] = i; // positions ascend inside a bucket
                for (int k = slots; k > 0; k--) _offsets[k] = _offsets[k - 1]; // filling moved each start to the next
                _offsets[0] = 0;
            }
            else
            {
                _slots = new Dictionary<ulong, int>();
                var order = Enumerable.Range(0, n).ToArray();
                Array.Sort((ulong[])keys.Clone(), order); // unstable: re-sort positions inside buckets below
                var offsets = new List<int>();
                for (int i = 0; i < n; i++)
                {
                    var key = keys[order[i]];
                    if (i == 0 || keys[order[i - 1]] != key) { _slots[key] = offsets.Count; offsets.Add(i); }
                }
                offsets.Add(n);
                _offsets = offsets.ToArray();
                for (int b = 0; b + 1 < _offsets.Length; b++) Array.Sort(order, _offsets[b], _offsets[b + 1] - _offsets[b]);
                order.CopyTo(_items, 0);
            }
        }

        public bool Direct => _slots is null;

        /// <summary>Asks the cache for a direct table's bucket bounds; a hint only (hashed tables do nothing).</summary>
        public unsafe void PrefetchBounds(ulong key)
        {
            if (_slots is null && Sse.IsSupported)
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_offsets), (nint)key)));
        }

        /// <summary>Asks the cache for the first item of a direct table's bucket.</summary>
        public unsafe void PrefetchItems(ulong key)
        {
            if (_slots is null && Sse.IsSupported)
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_items), _offsets[key])));
        }

        public ReadOnlySpan<int> Bucket(ulong key)
        {
            if (_slots is null) return _items.AsSpan(_offsets[key], _offsets[key + 1] - _offsets[key]);
            return _slots.TryGetValue(key, out int b) ? _items.AsSpan(_offsets[b], _offsets[b + 1] - _offsets[b]) : default;
        }
    }

    [ThreadStatic] private static List<Neighbor>? t_hits;

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius)
    {
        if (query.Length != Codes.WordsPerCode)
            throw new ArgumentException($"query: {query.Length} words, the index holds {Bits}-bit codes ({Codes.WordsPerCode} words)", nameof(query));
        if (radius < 0) return [];
        int s = radius / _tables.Length;
        // Probing would look up more keys than there are codes (a radius large for the number of tables): a flat
        // scan over the same codes is cheaper and gives the same set. (A racing first use builds it twice: harmless.)
        if (Probes(s) >= Count) return (_flat ??= new FlatIndex(Codes)).RadiusSearch(query, radius);
        var hits = t_hits ??= new List<Neighbor>();
        hits.Clear();
        Span<ulong> qkeys = stackalloc ulong[_tables.Length];
        for (int t = 0; t < _tables.Length; t++) qkeys[t] = Substring(query, _tables[t].Start, _tables[t].Length);
        for (int t = 0; t < _tables.Length; t++)
            Probe(query, qkeys, t, qkeys[t], Math.Min(s, _tables[t].Length), 0, radius, s, hits);
        return Sorted(hits);
    }

    // Keys a query looks up with `s` flips per table: Σ_t Σ_{k ≤ s} C(len_t, k), saturating.
    private long Probes(int s)
    {
        long total = 0;
        foreach (var table in _tables)
        {
            long binomial = 1;
            for (int k = 0; k <= Math.Min(s, table.Length); k++)
            {
                if (k > 0) binomial = binomial * (table.Length - k + 1) / k;
                total += binomial;
                if (total > int.MaxValue || binomial > int.MaxValue) return long.MaxValue;
            }
        }
        return total;
    }

    // Visits every key within `flips` more bit flips of `key` (flipping bits at or above `from`, so each once).
    private void Probe(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int flips, int from,
        int radius, int s, List<Neighbor> hits)
    {
        Visit(query, qkeys, t, key, radius, s, hits);
        if (flips == 0) return;
        for (int b = from; b < _tables[t].Length; b++)
            Probe(query, qkeys, t, key ^ (1UL << b), flips - 1, b + 1, radius, s, hits);
    }

    private void Visit(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int radius, int s,
        List<Neighbor> hits)
    {
        var ids = Codes.Ids;
        foreach (int pos in _tables[t].Bucket(key))
        {
            var code = Codes.Code(pos);
            bool seen = false;
            for (int u = 0; u < t && !seen; u++)
                seen = BitOperations.PopCount(Substring(code, _tables[u].Start, _tables[u].Length) ^ qkeys[u]) <= s;
            if (seen) continue;
            int d = 0;
            for (int w = 0; w < code.Length; w++) d += BitOperations.PopCount(code[w] ^ query[w]);
            if (d <= radius) hits.Add(new Neighbor(ids[pos], pos, d));
        }
    }

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0)
    {
        if (queries.Bits != Bits)
            throw new ArgumentException($"queries: {queries.Bits}-bit codes, the index holds {Bits}-bit codes", nameof(queries));
        var results = new Neighbor[queries.Count][];
        // A query costs a few hundred nanoseconds: hand out blocks, not single queries, to the cores.
        Parallelism.ForBlocks(queries.Count, 256, threads, (from, to) =>
        {
            if (radius >= 0 && radius < _tables.Length) SearchExactKeys(queries, from, to, radius, results);
            else
                for (int i = from; i < to; i++) results[i] = RadiusSearch(queries.Code(i), radius);
        });
        return results;
    }

    private const int Group = 16; // queries whose table probes are in flight together

    // radius < m: every table is probed with the query's own substring only (⌊r/m⌋ = 0 flips). Each probe is a few
    // dependent cache misses (bucket bounds, bucket items, codes); prefetching them for a group of queries first lets
    // the misses of different queries overlap instead of queueing one after another.
    private void SearchExactKeys(PackedCodes queries, int from, int to, int radius, Neighbor[][] results)
    {
        int m = _tables.Length;
        Span<ulong> keys = Group * m <= 512 ? stackalloc ulong[Group * m] : new ulong[Group * m]; // up to 1,024 tables
        var hits = t_hits ??= new List<Neighbor>();
        for (int g = from; g < to; g += Group)
        {
            int count = Math.Min(Group, to - g);
            for (int q = 0; q < count; q++)
            {
                var query = queries.Code(g + q);
                for (int t = 0; t < m; t++)
                {
                    var key = keys[q * m + t] = Substring(query, _tables[t].Start, _tables[t].Length);
                    _tables[t].PrefetchBounds(key);
                }
            }
            for (int q = 0; q < count * m; q++) _tables[q % m].PrefetchItems(keys[q]);
            for (int q = 0; q < count; q++)
            {
                var query = queries.Code(g + q);
                var qkeys = keys.Slice(q * m, m);
                hits.Clear();
                for (int t = 0; t < m; t++) Visit(query, qkeys, t, qkeys[t], radius, 0, hits);
                results[g + q] = Sorted(hits);
            }
        }
    }

    private static Neighbor[] Sorted(List<Neighbor> hits)
    {
        if (hits.Count == 0) return [];
        var result = hits.ToArray();
        if (result.Length > 1)
            Array.Sort(result, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
        return result;
    }
}
