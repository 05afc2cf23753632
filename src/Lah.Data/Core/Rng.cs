namespace Lah.Data;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small explicit PRNG so that splits, augmentation and synthetic data
/// are identical on every machine and runtime (System.Random's algorithms are not a stable contract).
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>An independent stream for a tuple of keys (seed, epoch, index…), stable across runs.</summary>
    public static Rng For(params ulong[] keys)
    {
        var h = 0x9E3779B97F4A7C15UL;
        foreach (var k in keys)
        {
            var x = h ^ k;
            h = SplitMix(ref x);
        }
        return new Rng(h);
    }

    public static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = RotL(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n} must be positive");
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextUInt64();
            var m = Math.BigMul(r, bound, out var low);
            if (low >= threshold) return (int)m;
        }
    }

    /// <summary>Uniform integer in [lo, hi] (inclusive, like Python's randint).</summary>
    public int NextInt(int lo, int hi) => lo + NextInt(hi - lo + 1);

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>
    /// Approximately standard normal: the Irwin–Hall sum of 12 uniforms minus 6 (tails cut at ±6). Only + and ×,
    /// so the value is bit-identical on every machine, unlike log/cos-based methods that depend on the C library.
    /// </summary>
    public double NextGaussian()
    {
        var s = 0.0;
        for (var i = 0; i < 12; i++) s += NextDouble();
        return s - 6.0;
    }

    public void Shuffle<T>(IList<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    public int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        Shuffle(p);
        return p;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));
}
