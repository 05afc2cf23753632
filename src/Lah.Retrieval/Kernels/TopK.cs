using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lah.Retrieval.Kernels;

/// <summary>Receives chunks of distances (code index = baseIndex + position) and keeps the ones it needs.</summary>
internal abstract class Collector
{
    /// <summary>Current acceptance threshold: only distances ≤ it are kept.</summary>
    protected int Threshold;

    protected int[] Index = new int[64];
    protected int[] Dist = new int[64];
    protected int Count;

    /// <summary>The threshold now (it only ever drops); for scans fused with the collector.</summary>
    public int CurrentThreshold => Threshold;

    /// <summary>Takes one hit the caller found within <see cref="CurrentThreshold"/>, in index order.</summary>
    public void Accept(int distance, int index) => Add(distance, index);

    public void Offer(ReadOnlySpan<int> distances, int baseIndex)
    {
        ref var d = ref MemoryMarshal.GetReference(distances);
        var n = distances.Length;
        var i = 0;
        var t = Vector256.Create(Threshold);
        for (; i + 8 <= n; i += 8)
        {
            var m = Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref d, (nuint)i), t).ExtractMostSignificantBits();
            if (m == 0) continue;
            do
            {
                var j = i + BitOperations.TrailingZeroCount(m);
                m &= m - 1;
                if (distances[j] <= Threshold) Add(distances[j], baseIndex + j);
            } while (m != 0);
            t = Vector256.Create(Threshold);
        }
        for (; i < n; i++)
            if (distances[i] <= Threshold) Add(distances[i], baseIndex + i);
    }

    protected virtual void Add(int distance, int index)
    {
        if (Count == Index.Length)
        {
            Array.Resize(ref Index, Count * 2);
            Array.Resize(ref Dist, Count * 2);
        }
        Index[Count] = index;
        Dist[Count] = distance;
        Count++;
    }

    /// <summary>Kept hits with distance ≤ the final threshold, sorted by (distance, id, index), at most <paramref name="limit"/>.</summary>
    protected Neighbor[] Sorted(ReadOnlySpan<long> ids, int limit)
    {
        var list = new List<Neighbor>(Math.Min(Count, Math.Max(limit, 0)));
        for (var i = 0; i < Count; i++)
            if (Dist[i] <= Threshold) list.Add(new Neighbor(ids[Index[i]], Index[i], Dist[i]));
        list.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance)
            : a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Index.CompareTo(b.Index));
        if (list.Count > limit) list.RemoveRange(limit, list.Count - limit);
        return list.ToArray();
    }

    public abstract Neighbor[] Result(ReadOnlySpan<long> ids);
}

/// <summary>Everything within a fixed radius (inclusive).</summary>
internal sealed class RadiusCollector : Collector
{
    public RadiusCollector(int radius) => Threshold = radius;

    public override Neighbor[] Result(ReadOnlySpan<long> ids) => Sorted(ids, int.MaxValue);
}

/// <summary>
/// Counting top-k: a histogram of kept distances lowers the threshold τ as soon as k hits lie strictly below it,
/// so after a short warm-up almost every code is rejected by one vector compare. All ties at τ are kept, so the
/// final (distance, id) order is exact whatever the ids are.
/// </summary>
internal sealed class TopKCollector : Collector
{
    private readonly int _k;
    private readonly int[] _histogram;
    private int _below;
    private int _compactAt;

    public TopKCollector(int k, int bits)
    {
        _k = k;
        _histogram = new int[bits + 2];
        Threshold = k == 0 ? -1 : bits;
        _compactAt = Math.Max(256, 4 * k);
    }

    protected override void Add(int distance, int index)
    {
        if (Count == _compactAt) Compact();
        base.Add(distance, index);
        _histogram[distance]++;
        if (distance < Threshold)
        {
            _below++;
            while (_below >= _k)
            {
                Threshold--;
                _below -= _histogram[Threshold];
            }
        }
    }

    private void Compact()
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (Dist[i] > Threshold) continue;
            Index[kept] = Index[i];
            Dist[kept] = Dist[i];
            kept++;
        }
        Count = kept;
        // Many ties at τ can keep the list long: grow instead of compacting on every add.
        if (Count * 2 > _compactAt) _compactAt *= 2;
    }

    public override Neighbor[] Result(ReadOnlySpan<long> ids) => Sorted(ids, _k);
}
