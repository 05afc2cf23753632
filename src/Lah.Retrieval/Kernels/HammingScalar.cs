namespace Lah.Retrieval.Kernels;

/// <summary>Portable reference kernel: SWAR popcount, no intrinsics.</summary>
internal static class HammingScalar
{
    public static int PopCount(ulong x)
    {
        x -= (x >> 1) & 0x5555555555555555UL;
        x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
        x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
        return (int)((x * 0x0101010101010101UL) >> 56);
    }

    public static void Distances(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances)
    {
        var n = codes.Length / words;
        for (var i = 0; i < n; i++)
        {
            var c = codes.Slice(i * words, words);
            var d = 0;
            for (var w = 0; w < words; w++) d += PopCount(query[w] ^ c[w]);
            distances[i] = d;
        }
    }
}
