using Lah.Data;
using Lah.Torch;

namespace Lah.Hashing.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// One ±1 hash center per label (R×K, row-major) and the pairwise Hamming distances they achieved. <see cref="Method"/>
/// is "hadamard" (rows of a Sylvester Hadamard matrix, then their negations) or "random" (seeded balanced codes).
/// </summary>
public sealed record HashCenterSet(float[] Codes, int Labels, int Bits, ulong Seed, string Method, int MinDistance, double MeanDistance)
{
    /// <summary>The centers as an R×K float tensor on <paramref name="device"/> (CPU by default).</summary>
    public Tensor ToTensor(Device? device = null)
    {
        var t = Torch.FromArray(Codes, Labels, Bits);
        return device is { } d && d.Type != DeviceType.CPU ? t.To(d) : t;
    }

    public override string ToString() =>
        $"{Labels} {Method} centers of {Bits} bits (seed {Seed}): min Hamming distance {MinDistance}, mean {MeanDistance:F2}";
}

/// <summary>
/// Hash centers for CSQ and the hybrid loss, for any code length. CSQ's rule where it applies (K a power of two and
/// 2K ≥ R): the first R rows of [H_K; −H_K], pairwise distances K/2 (or K for a row and its negation). Otherwise (e.g.
/// K = 48, or 80 labels at 16 bits) seeded balanced codes (⌊K/2⌋ ones), built greedily: each new center is the best of
/// <see cref="Candidates"/> random balanced codes (more, up to <see cref="MaxCandidates"/>, while none is K/4 from every
/// earlier center) — the one whose nearest existing center is farthest, ties broken by the larger summed distance (which
/// keeps the bit columns balanced and so the mean distance at or above K/2). The aim is a minimum distance ≥ K/4 and a
/// mean ≥ K/2; the set reports what it achieved rather than promising it (e.g. 80 labels at 8 bits: only 70 balanced
/// codes exist, so two centers coincide and the reported minimum is 0).
/// </summary>
public static class HashCenters
{
    public const int Candidates = 64;

    /// <summary>Draws allowed for one center while its nearest neighbour is still closer than K/4.</summary>
    public const int MaxCandidates = 2000;

    /// <summary>The key of the centers' stream in <see cref="Rng.For"/> (with the seed): "CENTERS".</summary>
    public const ulong StreamKey = 0x43454E54455253;

    public static bool IsPowerOfTwo(int k) => k > 0 && (k & (k - 1)) == 0;

    public static HashCenterSet Generate(int labels, int bits, ulong seed)
    {
        if (labels <= 0) throw new ArgumentException($"labels: expected a positive count, got {labels}");
        if (bits < 2) throw new ArgumentException($"bits: expected at least 2, got {bits}");
        var rows = IsPowerOfTwo(bits) && 2 * bits >= labels ? Hadamard(labels, bits) : Balanced(labels, bits, seed);
        var (min, mean) = Distances(rows, bits);
        var codes = rows.SelectMany(r => r.Select(b => (float)b)).ToArray();
        return new HashCenterSet(codes, labels, bits, seed, IsPowerOfTwo(bits) && 2 * bits >= labels ? "hadamard" : "random", min, mean);
    }

    private static sbyte[][] Hadamard(int labels, int bits)
    {
        // Sylvester: H[i, j] = (−1)^popcount(i & j).
        var rows = new sbyte[labels][];
        for (int r = 0; r < labels; r++)
        {
            int i = r % bits;
            sbyte sign = r < bits ? (sbyte)1 : (sbyte)-1;
            rows[r] = Enumerable.Range(0, bits).Select(j => (sbyte)(System.Numerics.BitOperations.PopCount((uint)(i & j)) % 2 == 0 ? sign : -sign)).ToArray();
        }
        return rows;
    }

    private static sbyte[][] Balanced(int labels, int bits, ulong seed)
    {
        // The project's managed PRNG: the same centers on every machine and runtime, whatever else draws.
        var rng = Rng.For(seed, StreamKey);
        var rows = new List<sbyte[]>();
        var candidate = new sbyte[bits];
        for (int r = 0; r < labels; r++)
        {
            sbyte[]? best = null;
            (int Min, long Sum) bestScore = (-1, -1);
            int target = (bits + 3) / 4; // ⌈K/4⌉
            for (int c = 0; c < MaxCandidates && (c < Candidates || bestScore.Min < target); c++)
            {
                for (int j = 0; j < bits; j++) candidate[j] = (sbyte)(j < bits / 2 ? 1 : -1);
                rng.Shuffle(candidate);
                int min = int.MaxValue;
                long sum = 0;
                foreach (var other in rows)
                {
                    int d = Hamming(candidate, other);
                    min = Math.Min(min, d);
                    sum += d;
                }
                if (min > bestScore.Min || (min == bestScore.Min && sum > bestScore.Sum))
                {
                    bestScore = (min, sum);
                    best = (sbyte[])candidate.Clone();
                }
                if (rows.Count == 0) break;
            }
            rows.Add(best!);
        }
        return [.. rows];
    }

    private static int Hamming(sbyte[] a, sbyte[] b)
    {
        int d = 0;
        for (int j = 0; j < a.Length; j++) if (a[j] != b[j]) d++;
        return d;
    }

    /// <summary>Minimum and mean Hamming distance over distinct pairs (K and K with a single center).</summary>
    public static (int Min, double Mean) Distances(IReadOnlyList<sbyte[]> rows, int bits)
    {
        if (rows.Count < 2) return (bits, bits);
        int min = int.MaxValue;
        long sum = 0, pairs = 0;
        for (int a = 0; a < rows.Count; a++)
            for (int b = a + 1; b < rows.Count; b++)
            {
                int d = Hamming(rows[a], rows[b]);
                min = Math.Min(min, d);
                sum += d;
                pairs++;
            }
        return (min, (double)sum / pairs);
    }
}
