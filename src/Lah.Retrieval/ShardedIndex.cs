namespace Lah.Retrieval;

/// <summary>
/// One index split over several shards (index files, or codes in memory) searched together. Each shard holds the
/// items' global ids, so results carry them unchanged; <see cref="Neighbor.Index"/> is the position in the shards'
/// concatenation (shard 0 first). Per-shard top-k lists are merged by (distance, id), which gives exactly the top-k of
/// the whole set because each shard's list already holds its best k by that order; radius results are the union,
/// sorted the same way. Results therefore equal those of one <see cref="FlatIndex"/> over the concatenated codes,
/// as long as ids are unique across shards (not checked: that would read every shard's ids up front).
/// </summary>
public sealed class ShardedIndex : IHammingIndex, IDisposable
{
    private readonly Shard[] _shards;
    private readonly int[] _offsets;
    private readonly bool _owns;

    private ShardedIndex(Shard[] shards, bool owns)
    {
        if (shards.Length == 0) throw new ArgumentException("a sharded index needs at least one shard", nameof(shards));
        _shards = shards;
        _owns = owns;
        Bits = shards[0].Bits;
        _offsets = new int[shards.Length];
        long total = 0;
        for (var s = 0; s < shards.Length; s++)
        {
            if (shards[s].Bits != Bits)
                throw new ArgumentException($"shard {s} ({shards[s].Name}) holds {shards[s].Bits}-bit codes, shard 0 ({shards[0].Name}) {Bits}-bit codes");
            _offsets[s] = (int)total;
            total += shards[s].Count;
            if (total > int.MaxValue) throw new ArgumentException($"the shards hold more than {int.MaxValue} codes together");
        }
        Count = (int)total;
    }

    /// <summary>Maps every shard file (LAH index files, see <see cref="IndexFile"/>); the index owns and unmaps them.</summary>
    public static ShardedIndex Open(IEnumerable<string> paths, bool verifyChecksum = true)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var opened = new List<MappedIndex>();
        try
        {
            foreach (var p in paths) opened.Add(MappedIndex.Open(p, verifyChecksum));
            return new ShardedIndex(opened.Select(m => new Shard(m, m.Path)).ToArray(), owns: true);
        }
        catch
        {
            foreach (var m in opened) m.Dispose();
            throw;
        }
    }

    /// <summary>Shards in memory (each searched by a <see cref="FlatIndex"/>).</summary>
    public static ShardedIndex FromCodes(IEnumerable<PackedCodes> shards) =>
        new(shards.Select((c, i) => new Shard(new FlatIndex(c), $"shard {i}")).ToArray(), owns: false);

    /// <summary>Shards that another index owns (FlatIndex or MappedIndex each); disposing this one leaves them be.</summary>
    internal static ShardedIndex FromIndexes(IReadOnlyList<(IHammingIndex Index, string Name)> shards) =>
        new(shards.Select(s => new Shard(s.Index, s.Name)).ToArray(), owns: false);

    /// <summary>Splits <paramref name="codes"/> into <paramref name="shards"/> contiguous parts written as index files
    /// <c>{prefix}.{i}.lahidx</c> (ids kept); returns their paths in order.</summary>
    public static IReadOnlyList<string> WriteShards(PackedCodes codes, int shards, string prefix)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var paths = new List<string>();
        for (var s = 0; s < shards; s++)
        {
            int start = (int)((long)codes.Count * s / shards), end = (int)((long)codes.Count * (s + 1) / shards);
            var path = $"{prefix}.{s}.lahidx";
            IndexFile.Write(path, codes.Select(Enumerable.Range(start, end - start).ToArray()));
            paths.Add(path);
        }
        return paths;
    }

    public int Bits { get; }
    public int Count { get; }

    /// <summary>Number of shards.</summary>
    public int Shards => _shards.Length;

    /// <summary>The k nearest codes over every shard, ties by id.</summary>
    public Neighbor[] Search(ReadOnlySpan<ulong> query, int k)
    {
        var parts = new Neighbor[_shards.Length][];
        for (var s = 0; s < _shards.Length; s++) parts[s] = _shards[s].Search(query, k);
        return Merge(parts, k);
    }

    /// <summary>The k nearest codes of every query, each shard's batch over up to <paramref name="threads"/> cores.</summary>
    public Neighbor[][] Search(PackedCodes queries, int k, int threads = 0)
    {
        var perShard = _shards.Select(s => s.Search(queries, k, threads)).ToArray();
        return MergeAll(perShard, queries.Count, k);
    }

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius)
    {
        var parts = new Neighbor[_shards.Length][];
        for (var s = 0; s < _shards.Length; s++) parts[s] = _shards[s].Index.RadiusSearch(query, radius);
        return Merge(parts, int.MaxValue);
    }

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0)
    {
        var perShard = _shards.Select(s => s.Index.RadiusSearch(queries, radius, threads)).ToArray();
        return MergeAll(perShard, queries.Count, int.MaxValue);
    }

    private Neighbor[][] MergeAll(Neighbor[][][] perShard, int nq, int k)
    {
        var results = new Neighbor[nq][];
        var parts = new Neighbor[_shards.Length][];
        for (var q = 0; q < nq; q++)
        {
            for (var s = 0; s < _shards.Length; s++) parts[s] = perShard[s][q];
            results[q] = Merge(parts, k);
        }
        return results;
    }

    // Shard-local positions become positions in the concatenation; then (distance, id, position) order, first k.
    private Neighbor[] Merge(Neighbor[][] parts, int k)
    {
        var all = new List<Neighbor>(parts.Sum(p => p.Length));
        for (var s = 0; s < parts.Length; s++)
            foreach (var n in parts[s]) all.Add(n with { Index = n.Index + _offsets[s] });
        all.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance)
            : a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Index.CompareTo(b.Index));
        if (all.Count > k) all.RemoveRange(k, all.Count - k);
        return all.ToArray();
    }

    public void Dispose()
    {
        if (!_owns) return;
        foreach (var s in _shards) (s.Index as IDisposable)?.Dispose();
    }

    /// <summary>A shard: the radius interface plus the top-k search that FlatIndex and MappedIndex both have.</summary>
    private sealed class Shard(IHammingIndex index, string name)
    {
        public IHammingIndex Index { get; } = index;
        public string Name { get; } = name;
        public int Bits => Index.Bits;
        public int Count => Index.Count;

        public Neighbor[] Search(ReadOnlySpan<ulong> query, int k) => Index switch
        {
            FlatIndex f => f.Search(query, k),
            MappedIndex m => m.Search(query, k),
            _ => throw new NotSupportedException($"{Name}: top-k search needs a FlatIndex or MappedIndex"),
        };

        public Neighbor[][] Search(PackedCodes queries, int k, int threads) => Index switch
        {
            FlatIndex f => f.Search(queries, k, threads),
            MappedIndex m => m.Search(queries, k, threads),
            _ => throw new NotSupportedException($"{Name}: top-k search needs a FlatIndex or MappedIndex"),
        };
    }
}
