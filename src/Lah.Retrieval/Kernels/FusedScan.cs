using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval.Kernels;

/// <summary>
/// AVX-512 scan fused with the collector's threshold: popcount and compare in registers, so distances are never
/// stored and re-read; only codes within the threshold reach the collector. Same integers as
/// <see cref="HammingVector512"/> (same popcount), for 1- and 2-word codes.
/// </summary>
internal static class FusedScan
{
    public static bool Handles(HammingKernel kernel, int words) => kernel == HammingKernel.Vector512 && words <= 2;

    public static void Offer(Collector collector, ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, int baseIndex)
    {
        if (collector.CurrentThreshold < 0) return;
        var n = codes.Length / words;
        var lut = HammingVector512.Table;
        ref var c = ref MemoryMarshal.GetReference(codes);
        var t = Vector512.Create((ulong)collector.CurrentThreshold);
        var i = 0;
        if (words == 1)
        {
            var q = Vector512.Create(query[0]);
            for (; i + 8 <= n; i += 8)
            {
                var p = HammingVector512.PopCount64(Vector512.LoadUnsafe(ref c, (nuint)i) ^ q, lut);
                var m = Vector512.LessThanOrEqual(p, t).ExtractMostSignificantBits();
                if (m == 0) continue;
                t = Drain(collector, p, m, baseIndex + i);
            }
            for (; i < n; i++)
            {
                var d = BitOperations.PopCount(query[0] ^ codes[i]);
                if (d <= collector.CurrentThreshold) collector.Accept(d, baseIndex + i);
            }
        }
        else
        {
            var q = Vector512.Create(query[0], query[1], query[0], query[1], query[0], query[1], query[0], query[1]);
            var even = Vector512.Create(0UL, 2, 4, 6, 8, 10, 12, 14);
            var odd = Vector512.Create(1UL, 3, 5, 7, 9, 11, 13, 15);
            for (; i + 8 <= n; i += 8)
            {
                var a = HammingVector512.PopCount64(Vector512.LoadUnsafe(ref c, (nuint)(2 * i)) ^ q, lut);
                var b = HammingVector512.PopCount64(Vector512.LoadUnsafe(ref c, (nuint)(2 * i + 8)) ^ q, lut);
                var p = Avx512F.PermuteVar8x64x2(a, even, b) + Avx512F.PermuteVar8x64x2(a, odd, b);
                var m = Vector512.LessThanOrEqual(p, t).ExtractMostSignificantBits();
                if (m == 0) continue;
                t = Drain(collector, p, m, baseIndex + i);
            }
            for (; i < n; i++)
            {
                var d = BitOperations.PopCount(query[0] ^ codes[2 * i]) + BitOperations.PopCount(query[1] ^ codes[2 * i + 1]);
                if (d <= collector.CurrentThreshold) collector.Accept(d, baseIndex + i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<ulong> Drain(Collector collector, Vector512<ulong> p, ulong m, int baseIndex)
    {
        do
        {
            var j = BitOperations.TrailingZeroCount(m);
            m &= m - 1;
            var d = (int)p.GetElement(j);
            if (d <= collector.CurrentThreshold) collector.Accept(d, baseIndex + j);
        } while (m != 0);
        return Vector512.Create((ulong)Math.Max(collector.CurrentThreshold, 0));
    }
}
