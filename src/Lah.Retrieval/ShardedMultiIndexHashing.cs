using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval;

/// <summary>
/// Exact radius search by multi-index hashing (see <see cref="MultiIndexHashing"/> for the pigeonhole argument) over a
/// collection split into shards: index files mapped in place, or codes in memory. The m tables cover the whole
/// collection, not each shard, so a query costs m bucket lookups whatever the number of shards. Each table keeps,
/// bucket by bucket, its own copy of the codes and their positions: verifying a bucket reads consecutive memory
/// instead of jumping into the shards, which are read again only for the ids of hits. The build streams over the
/// shards (a counting sort per table, in parallel over ranges of codes), so nothing is loaded whole.
/// <para>
/// A table indexes at most 24 bits of its substring directly (one array of bucket bounds, no hashing); a longer
/// substring shares buckets between keys and a candidate counts only under its own full key, so the results stay
/// exact. Results equal those of a <see cref="FlatIndex"/> over the shards' concatenation: ids as stored in the
/// shards, <see cref="Neighbor.Index"/> the position in the concatenation (shard 0 first), order (distance, id,
/// position); a radius whose probes would outnumber the codes is answered by a flat scan of the shards. Flat k-NN
/// (<see cref="Search(ReadOnlySpan{ulong}, int)"/>) scans the same shards through a <see cref="ShardedIndex"/>.
/// </para>
/// Memory: per table 8·⌈K/64⌉ + 4 bytes per code plus 4·2^b bytes of bucket bounds (b ≤ 24 indexed bits).
/// </summary>
public sealed class ShardedMultiIndexHashing : IHammingIndex, IDisposable
{
    private const int MaxDirectBits = 24;

    private readonly Source[] _shards;
    private readonly int[] _starts; // position of each shard's first code in the concatenation
    private readonly Table[] _tables;
    private readonly ShardedIndex _flat;
    private readonly bool _owns;
    private readonly int _words;

    private ShardedMultiIndexHashing(Source[] shards, int tables, int threads, bool owns)
    {
        if (shards.Length == 0) throw new ArgumentException("a sharded index needs at least one shard", nameof(shards));
        _shards = shards;
        _owns = owns;
        Bits = shards[0].Bits;
        _words = PackedCodes.WordsFor(Bits);
        _starts = new int[shards.Length];
        long total = 0;
        for (var s = 0; s < shards.Length; s++)
        {
            if (shards[s].Bits != Bits)
                throw new ArgumentException($"shard {s} ({shards[s].Name}) holds {shards[s].Bits}-bit codes, shard 0 ({shards[0].Name}) {Bits}-bit codes");
            _starts[s] = (int)total;
            total += shards[s].Count;
            if (total * _words > Array.MaxLength)
                throw new ArgumentException($"the shards hold {total} codes of {Bits} bits together: more than a table can copy");
        }
        Count = (int)total;
        if (tables <= 0) tables = DefaultTables(Bits, Count);
        if (tables > Bits || (Bits + tables - 1) / tables > 64)
            throw new ArgumentOutOfRangeException(nameof(tables), tables,
                $"need 1..{Bits} tables with substrings of at most 64 bits for {Bits}-bit codes");
        _flat = ShardedIndex.FromIndexes(shards.Select(s => (s.Flat, s.Name)).ToArray());
        _tables = new Table[tables];
        var start = 0;
        for (var t = 0; t < tables; t++)
        {
            var len = Bits / tables + (t < Bits % tables ? 1 : 0);
            _tables[t] = Build(start, len, Parallelism.Threads(threads));
            start += len;
        }
    }

    /// <summary>Maps the shard files (LAH index files, see <see cref="IndexFile"/>) and builds the tables over them;
    /// the index owns and unmaps the files.</summary>
    /// <param name="tables">m; ≤ 0 chooses it from the collection (<see cref="DefaultTables"/>).</param>
    /// <param name="threads">cores for the build (≤ 0: all).</param>
    public static ShardedMultiIndexHashing Open(IEnumerable<string> paths, int tables = 0, bool verifyChecksum = true,
        int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var opened = new List<MappedIndex>();
        try
        {
            foreach (var p in paths) opened.Add(MappedIndex.Open(p, verifyChecksum));
            return new ShardedMultiIndexHashing(opened.Select(m => (Source)new MappedSource(m)).ToArray(), tables, threads, owns: true);
        }
        catch
        {
            foreach (var m in opened) m.Dispose();
            throw;
        }
    }

    /// <summary>Builds the tables over shards in memory (kept by reference, not copied).</summary>
    public static ShardedMultiIndexHashing FromCodes(IEnumerable<PackedCodes> shards, int tables = 0, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return new(shards.Select((c, i) => (Source)new CodesSource(c, $"shard {i}")).ToArray(), tables, threads, owns: false);
    }

    /// <summary>
    /// m for <paramref name="count"/> codes of <paramref name="bits"/> bits: substrings of about log2(count) bits, as
    /// Norouzi et al. suggest (a bucket then holds about one code), but no longer than 24 bits, so every table stays a
    /// direct-address array of at most 16 M bounds. For 64-bit codes this is 3 tables (21, 21, 22 bits) from about
    /// 200,000 codes up to billions: radius 2 then needs only the query's own substrings (⌊2/3⌋ = 0 flips).
    /// </summary>
    public static int DefaultTables(int bits, long count)
    {
        var log = Math.Max(1.0, Math.Log2(Math.Max(count, 2)));
        var m = Math.Max((int)Math.Round(bits / log), (bits + MaxDirectBits - 1) / MaxDirectBits);
        return Math.Clamp(m, 1, bits);
    }

    public int Bits { get; }
    public int Count { get; }

    /// <summary>Number of shards.</summary>
    public int Shards => _shards.Length;

    /// <summary>m, the number of substrings and tables.</summary>
    public int Tables => _tables.Length;

    /// <summary>Bytes the tables hold (code copies, positions, bucket bounds); the shards are not counted.</summary>
    public long TableBytes => _tables.Sum(t => 8L * t.Codes.Length + 4L * t.Positions.Length + 4L * t.Offsets.Length);

    /// <summary>Substring lengths of the tables, in bit order.</summary>
    public IReadOnlyList<int> SubstringBits => _tables.Select(t => t.Length).ToArray();

    private sealed class Table(int start, int length, int indexBits, int[] offsets, ulong[] codes, int[] positions)
    {
        public readonly int Start = start, Length = length, IndexBits = indexBits;
        public readonly ulong BucketMask = (1UL << indexBits) - 1;
        public readonly bool Shared = indexBits < length; // several keys share a bucket: check the full key
        public readonly int[] Offsets = offsets; // bucket b holds copies [Offsets[b], Offsets[b + 1])
        public readonly ulong[] Codes = codes; // the copies, bucket by bucket, positions ascending inside a bucket
        public readonly int[] Positions = positions;
    }

    private Table Build(int start, int length, int threads)
    {
        int n = Count, w = _words;
        // Indexing more bits than about log2(n) + 2 only adds empty buckets.
        var indexBits = Math.Min(length, Math.Min(MaxDirectBits, Math.Max(12, BitOperations.Log2((uint)Math.Max(n, 1)) + 3)));
        var buckets = 1 << indexBits;
        var mask = (1UL << indexBits) - 1;
        var chunks = Math.Max(1, Math.Min(threads, n / 65536));
        var cursors = new int[chunks][];
        int From(int c) => (int)((long)n * c / chunks);
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, chunks, options, c =>
        {
            var counts = cursors[c] = new int[buckets];
            foreach (var (s, a, b) in Ranges(From(c), From(c + 1)))
            {
                var words = _shards[s].Words;
                if (w == 1)
                    for (var p = a; p < b; p++) counts[(words[p] >> start) & mask]++;
                else
                    for (var p = a; p < b; p++) counts[MultiIndexHashing.Substring(words.Slice(p * w, w), start, length) & mask]++;
            }
        });
        // Bucket-major, chunk-minor starts: chunk c fills its part of each bucket after chunks 0..c-1, so positions
        // ascend inside a bucket as in the concatenation.
        var offsets = new int[buckets + 1];
        var running = 0;
        for (var b = 0; b < buckets; b++)
        {
            offsets[b] = running;
            for (var c = 0; c < chunks; c++)
            {
                var k = cursors[c][b];
                cursors[c][b] = running;
                running += k;
            }
        }
        offsets[buckets] = running;
        var codes = GC.AllocateUninitializedArray<ulong>(n * w);
        var positions = GC.AllocateUninitializedArray<int>(n);
        Parallel.For(0, chunks, options, c =>
        {
            var cursor = cursors[c];
            foreach (var (s, a, b) in Ranges(From(c), From(c + 1)))
            {
                var words = _shards[s].Words;
                var first = _starts[s];
                if (w == 1)
                    for (var p = a; p < b; p++)
                    {
                        var i = cursor[(words[p] >> start) & mask]++;
                        codes[i] = words[p];
                        positions[i] = first + p;
                    }
                else
                    for (var p = a; p < b; p++)
                    {
                        var code = words.Slice(p * w, w);
                        var i = cursor[MultiIndexHashing.Substring(code, start, length) & mask]++;
                        code.CopyTo(codes.AsSpan(i * w, w));
                        positions[i] = first + p;
                    }
            }
        });
        return new Table(start, length, indexBits, offsets, codes, positions);
    }

    // The shards holding positions [from, to) of the concatenation, with the shard-local range of each.
    private IEnumerable<(int Shard, int From, int To)> Ranges(int from, int to)
    {
        for (var s = 0; s < _shards.Length; s++)
        {
            int a = Math.Max(from, _starts[s]), b = Math.Min(to, _starts[s] + _shards[s].Count);
            if (a < b) yield return (s, a - _starts[s], b - _starts[s]);
        }
    }

    /// <summary>The k nearest codes over every shard (flat scan), ties by id.</summary>
    public Neighbor[] Search(ReadOnlySpan<ulong> query, int k) => _flat.Search(query, k);

    /// <summary>The k nearest codes of every query (flat scan of each shard over up to <paramref name="threads"/> cores).</summary>
    public Neighbor[][] Search(PackedCodes queries, int k, int threads = 0) => _flat.Search(queries, k, threads);

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius)
    {
        if (query.Length != _words)
            throw new ArgumentException($"query: {query.Length} words, the index holds {Bits}-bit codes ({_words} words)", nameof(query));
        if (radius < 0) return [];
        var s = radius / _tables.Length;
        if (Probes(s) >= Count) return _flat.RadiusSearch(query, radius);
        var hits = t_hits ??= new List<(int, int)>();
        hits.Clear();
        Span<ulong> qkeys = stackalloc ulong[_tables.Length];
        Keys(query, qkeys);
        for (var t = 0; t < _tables.Length; t++) Probe(query, qkeys, t, qkeys[t], Math.Min(s, _tables[t].Length), 0, radius, s, hits);
        return Resolve(hits);
    }

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Bits != Bits)
            throw new ArgumentException($"queries: {queries.Bits}-bit codes, the index holds {Bits}-bit codes", nameof(queries));
        if (radius >= 0 && Probes(radius / _tables.Length) >= Count) return _flat.RadiusSearch(queries, radius, threads);
        var results = new Neighbor[queries.Count][];
        Parallelism.ForBlocks(queries.Count, 256, threads, (from, to) =>
        {
            if (radius >= 0 && radius < _tables.Length) SearchExactKeys(queries, from, to, radius, results);
            else
                for (var i = from; i < to; i++) results[i] = RadiusSearch(queries.Code(i), radius);
        });
        return results;
    }

    [ThreadStatic] private static List<(int Position, int Distance)>? t_hits;

    private void Keys(ReadOnlySpan<ulong> query, Span<ulong> keys)
    {
        for (var t = 0; t < _tables.Length; t++) keys[t] = MultiIndexHashing.Substring(query, _tables[t].Start, _tables[t].Length);
    }

    // Keys a query looks up with `s` flips per table: Σ_t Σ_{k ≤ s} C(len_t, k), saturating.
    private long Probes(int s)
    {
        long total = 0;
        foreach (var table in _tables)
        {
            long binomial = 1;
            for (var k = 0; k <= Math.Min(s, table.Length); k++)
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
        int radius, int s, List<(int, int)> hits)
    {
        Visit(query, qkeys, t, key, radius, s, hits);
        if (flips == 0) return;
        for (var b = from; b < _tables[t].Length; b++)
            Probe(query, qkeys, t, key ^ (1UL << b), flips - 1, b + 1, radius, s, hits);
    }

    // Verifies the bucket of `key` in table t: a copy counts when its full distance is within the radius, its substring
    // is `key` itself (a shared bucket holds other keys too), and no earlier table reaches it (else it was found there).
    private void Visit(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int radius, int s,
        List<(int, int)> hits)
    {
        var table = _tables[t];
        var b = (int)(key & table.BucketMask);
        int lo = table.Offsets[b], hi = table.Offsets[b + 1];
        if (lo == hi) return;
        var codes = table.Codes;
        if (_words == 1)
        {
            var q = query[0];
            for (var i = lo; i < hi; i++)
            {
                var c = codes[i];
                var d = BitOperations.PopCount(c ^ q);
                if (d > radius || Skip(c, qkeys, t, key, s)) continue;
                hits.Add((table.Positions[i], d));
            }
            return;
        }
        int w = _words;
        for (var i = lo; i < hi; i++)
        {
            var code = codes.AsSpan(i * w, w);
            var d = 0;
            for (var j = 0; j < w; j++) d += BitOperations.PopCount(code[j] ^ query[j]);
            if (d > radius) continue;
            if (table.Shared && MultiIndexHashing.Substring(code, table.Start, table.Length) != key) continue;
            var seen = false;
            for (var u = 0; u < t && !seen; u++)
                seen = BitOperations.PopCount(MultiIndexHashing.Substring(code, _tables[u].Start, _tables[u].Length) ^ qkeys[u]) <= s;
            if (!seen) hits.Add((table.Positions[i], d));
        }
    }

    // One-word codes: the substring tests without spans.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Skip(ulong code, ReadOnlySpan<ulong> qkeys, int t, ulong key, int s)
    {
        var table = _tables[t];
        if (table.Shared && Sub(code, table) != key) return true;
        for (var u = 0; u < t; u++)
            if (BitOperations.PopCount(Sub(code, _tables[u]) ^ qkeys[u]) <= s) return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Sub(ulong code, Table table) =>
        table.Length == 64 ? code : (code >> table.Start) & ((1UL << table.Length) - 1);

    private const int Group = 16; // queries whose bucket lookups are in flight together

    // radius < m: each table is probed with the query's own substring only. A probe is two dependent cache misses
    // (bucket bounds, then the bucket's first copies); prefetching both for a group of queries first lets the misses
    // of different queries overlap.
    private void SearchExactKeys(PackedCodes queries, int from, int to, int radius, Neighbor[][] results)
    {
        var m = _tables.Length;
        Span<ulong> keys = Group * m <= 512 ? stackalloc ulong[Group * m] : new ulong[Group * m];
        var hits = t_hits ??= new List<(int, int)>();
        for (var g = from; g < to; g += Group)
        {
            var count = Math.Min(Group, to - g);
            for (var q = 0; q < count; q++)
            {
                Keys(queries.Code(g + q), keys.Slice(q * m, m));
                for (var t = 0; t < m; t++) PrefetchBounds(_tables[t], keys[q * m + t]);
            }
            for (var i = 0; i < count * m; i++) PrefetchCopies(_tables[i % m], keys[i]);
            for (var q = 0; q < count; q++)
            {
                var query = queries.Code(g + q);
                var qkeys = keys.Slice(q * m, m);
                hits.Clear();
                for (var t = 0; t < m; t++) Visit(query, qkeys, t, qkeys[t], radius, 0, hits);
                results[g + q] = Resolve(hits);
            }
        }
    }

    private static unsafe void PrefetchBounds(Table table, ulong key)
    {
        if (Sse.IsSupported)
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Offsets), (nint)(key & table.BucketMask))));
    }

    private unsafe void PrefetchCopies(Table table, ulong key)
    {
        if (!Sse.IsSupported) return;
        var i = table.Offsets[(int)(key & table.BucketMask)];
        if (i < table.Positions.Length)
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Codes), (nint)i * _words)));
    }

    // Positions and distances to neighbors: ids from the shards, order (distance, id, position).
    private Neighbor[] Resolve(List<(int Position, int Distance)> hits)
    {
        if (hits.Count == 0) return [];
        var result = new Neighbor[hits.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var (pos, d) = hits[i];
            var s = Array.BinarySearch(_starts, pos);
            if (s < 0) s = ~s - 1;
            while (s + 1 < _starts.Length && _starts[s + 1] <= pos) s++; // empty shards share a start: take the last
            result[i] = new Neighbor(_shards[s].Ids[pos - _starts[s]], pos, d);
        }
        if (result.Length > 1)
            Array.Sort(result, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance)
                : a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Index.CompareTo(b.Index));
        return result;
    }

    public void Dispose()
    {
        if (!_owns) return;
        foreach (var s in _shards) s.Dispose();
    }

    private abstract class Source : IDisposable
    {
        public abstract string Name { get; }
        public abstract int Bits { get; }
        public abstract int Count { get; }
        public abstract ReadOnlySpan<ulong> Words { get; }
        public abstract ReadOnlySpan<long> Ids { get; }
        public abstract IHammingIndex Flat { get; }
        public virtual void Dispose() { }
    }

    private sealed class MappedSource(MappedIndex index) : Source
    {
        public override string Name => index.Path;
        public override int Bits => index.Bits;
        public override int Count => index.Count;
        public override ReadOnlySpan<ulong> Words => index.Words;
        public override ReadOnlySpan<long> Ids => index.Ids;
        public override IHammingIndex Flat => index;
        public override void Dispose() => index.Dispose();
    }

    private sealed class CodesSource(PackedCodes codes, string name) : Source
    {
        private readonly FlatIndex _flat = new(codes);
        public override string Name => name;
        public override int Bits => codes.Bits;
        public override int Count => codes.Count;
        public override ReadOnlySpan<ulong> Words => codes.Words;
        public override ReadOnlySpan<long> Ids => codes.Ids;
        public override IHammingIndex Flat => _flat;
    }
}
