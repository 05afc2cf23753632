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
    private readonly MultiIndexProbing _probing;
    private readonly Table[] _tables;
    private readonly FlatIndex _flat; // for radii whose probes would outnumber the codes

    public PackedCodes Codes { get; }
    public int Bits => Codes.Bits;
    public int Count => Codes.Count;
    public int Tables => _tables.Length;

    /// <summary>How many tables are direct-address arrays (short substrings, dense enough); the rest are hash tables.</summary>
    public int DirectTables => _tables.Count(t => t.Direct);

    /// <param name="tables">m, the number of substrings; each must be at most 64 bits (faiss uses 3 × 21 for 64-bit codes).</param>
    public MultiIndexHashing(PackedCodes codes, int tables)
    {
        ArgumentNullException.ThrowIfNull(codes);
        _probing = new MultiIndexProbing(codes.Bits, codes.Count, tables);
        Codes = codes;
        _flat = new FlatIndex(codes);
        _tables = new Table[tables];
        for (int t = 0; t < tables; t++) _tables[t] = new Table(codes, _probing.Start(t), _probing.Length(t));
    }

    private sealed class Table
    {
        private readonly int[] _offsets;           // direct: key → [offsets[key], offsets[key+1])
        private readonly Dictionary<ulong, int>? _slots; // hashed: key → bucket number
        private readonly int[] _items;

        public Table(PackedCodes codes, int start, int length)
        {
            int n = codes.Count;
            var keys = new ulong[n];
            for (int i = 0; i < n; i++) keys[i] = MultiIndexProbing.Substring(codes.Code(i), start, length);
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

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius) =>
        _probing.RadiusSearch(query, radius, _flat, new Buckets(this));

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0) =>
        _probing.RadiusSearch(queries, radius, threads, _flat, () => new Buckets(this));

    [ThreadStatic] private static List<Neighbor>? t_hits;

    // The tables' side of a search on one thread: bucket lookups, verification against the codes, hits in
    // (distance, id) order.
    private readonly struct Buckets(MultiIndexHashing index) : IMultiIndexBuckets
    {
        private readonly List<Neighbor> _hits = t_hits ??= new List<Neighbor>();

        public void Clear() => _hits.Clear();

        public void Visit(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int radius, int s)
        {
            var codes = index.Codes;
            var ids = codes.Ids;
            foreach (int pos in index._tables[t].Bucket(key))
            {
                var code = codes.Code(pos);
                int d = 0;
                for (int w = 0; w < code.Length; w++) d += BitOperations.PopCount(code[w] ^ query[w]);
                if (d <= radius && !index._probing.ReachedEarlier(code, qkeys, t, s)) _hits.Add(new Neighbor(ids[pos], pos, d));
            }
        }

        public void PrefetchBounds(int t, ulong key) => index._tables[t].PrefetchBounds(key);

        public void PrefetchBucket(int t, ulong key) => index._tables[t].PrefetchItems(key);

        public Neighbor[] Take()
        {
            if (_hits.Count == 0) return [];
            var result = _hits.ToArray();
            if (result.Length > 1)
                Array.Sort(result, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
            return result;
        }
    }
}
