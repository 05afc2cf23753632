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
    private readonly MultiIndexProbing _probing;
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
        _probing = new MultiIndexProbing(Bits, Count, tables <= 0 ? DefaultTables(Bits, Count) : tables);
        _flat = ShardedIndex.FromIndexes(shards.Select(s => (s.Flat, s.Name)).ToArray());
        _tables = new Table[_probing.Tables];
        for (var t = 0; t < _tables.Length; t++)
            _tables[t] = Build(_probing.Start(t), _probing.Length(t), Parallelism.Threads(threads));
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
    public IReadOnlyList<int> SubstringBits => Enumerable.Range(0, _tables.Length).Select(_probing.Length).ToArray();

    private sealed class Table(int length, int indexBits, int[] offsets, ulong[] codes, int[] positions)
    {
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
                    for (var p = a; p < b; p++) counts[MultiIndexProbing.Substring(words.Slice(p * w, w), start, length) & mask]++;
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
                        var i = cursor[MultiIndexProbing.Substring(code, start, length) & mask]++;
                        code.CopyTo(codes.AsSpan(i * w, w));
                        positions[i] = first + p;
                    }
            }
        });
        return new Table(length, indexBits, offsets, codes, positions);
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

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius) =>
        _probing.RadiusSearch(query, radius, _flat, new Buckets(this));

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0) =>
        _probing.RadiusSearch(queries, radius, threads, _flat, () => new Buckets(this));

    [ThreadStatic] private static List<(int Position, int Distance)>? t_hits;

    // The tables' side of a search on one thread: bucket lookups, verification against the tables' copies of the
    // codes, hits resolved to the shards' ids in (distance, id, position) order.
    private readonly struct Buckets(ShardedMultiIndexHashing index) : IMultiIndexBuckets
    {
        private readonly List<(int Position, int Distance)> _hits = t_hits ??= new List<(int, int)>();

        public void Clear() => _hits.Clear();

        // A copy counts when its full distance is within the radius, its substring is `key` itself (a shared bucket
        // holds other keys too), and no earlier table reaches it (else it was found there).
        public void Visit(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> qkeys, int t, ulong key, int radius, int s)
        {
            var table = index._tables[t];
            var probing = index._probing;
            var b = (int)(key & table.BucketMask);
            int lo = table.Offsets[b], hi = table.Offsets[b + 1];
            if (lo == hi) return;
            var codes = table.Codes;
            if (index._words == 1)
            {
                var q = query[0];
                for (var i = lo; i < hi; i++)
                {
                    var c = codes[i];
                    var d = BitOperations.PopCount(c ^ q);
                    if (d > radius || (table.Shared && probing.Key(c, t) != key) || probing.ReachedEarlier(c, qkeys, t, s)) continue;
                    _hits.Add((table.Positions[i], d));
                }
                return;
            }
            int w = index._words;
            for (var i = lo; i < hi; i++)
            {
                var code = codes.AsSpan(i * w, w);
                var d = 0;
                for (var j = 0; j < w; j++) d += BitOperations.PopCount(code[j] ^ query[j]);
                if (d > radius || (table.Shared && probing.Key(code, t) != key) || probing.ReachedEarlier(code, qkeys, t, s)) continue;
                _hits.Add((table.Positions[i], d));
            }
        }

        public unsafe void PrefetchBounds(int t, ulong key)
        {
            var table = index._tables[t];
            if (Sse.IsSupported)
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Offsets), (nint)(key & table.BucketMask))));
        }

        public unsafe void PrefetchBucket(int t, ulong key)
        {
            if (!Sse.IsSupported) return;
            var table = index._tables[t];
            var i = table.Offsets[(int)(key & table.BucketMask)];
            if (i < table.Positions.Length)
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Codes), (nint)i * index._words)));
        }

        public Neighbor[] Take() => index.Resolve(_hits);
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
