using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval.Kernels;

/// <summary>One hardware POPCNT per word; specialised loops for 1 and 2 words (K ≤ 128).</summary>
internal static class HammingPopcnt
{
    public static void Distances(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances) =>
        Distances(query, codes, words, distances, 0);

    /// <summary>Computes codes from index <paramref name="start"/> on; the vector kernels use it for their tails.</summary>
    public static void Distances(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances, int start)
    {
        var n = codes.Length / words;
        if (words == 1)
        {
            var q = query[0];
            for (var i = start; i < n; i++) distances[i] = (int)Popcnt.X64.PopCount(q ^ codes[i]);
        }
        else if (words == 2)
        {
            ulong q0 = query[0], q1 = query[1];
            for (var i = start; i < n; i++)
                distances[i] = (int)(Popcnt.X64.PopCount(q0 ^ codes[2 * i]) + Popcnt.X64.PopCount(q1 ^ codes[2 * i + 1]));
        }
        else
        {
            for (var i = start; i < n; i++)
            {
                var c = codes.Slice(i * words, words);
                ulong d = 0;
                for (var w = 0; w < words; w++) d += Popcnt.X64.PopCount(query[w] ^ c[w]);
                distances[i] = (int)d;
            }
        }
    }
}
