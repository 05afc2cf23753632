using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval.Kernels;

/// <summary>
/// AVX-512BW kernel: nibble lookup (VPSHUFB) and VPSADBW over 512-bit vectors, 8 codes per step for 1 and 2 words.
/// .NET 10 exposes no AVX512-VPOPCNTDQ intrinsic, hence the lookup. Longer codes use POPCNT per word.
/// </summary>
internal static class HammingVector512
{
    private static readonly Vector512<byte> Lut = Vector512.Create(
        (byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<ulong> PopCount64(Vector512<ulong> x, Vector512<byte> lut)
    {
        var low = Vector512.Create((byte)0x0F);
        var lo = Avx512BW.Shuffle(lut, x.AsByte() & low);
        var hi = Avx512BW.Shuffle(lut, Avx512BW.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
        return Avx512BW.SumAbsoluteDifferences(lo + hi, Vector512<byte>.Zero).AsUInt64();
    }

    internal static Vector512<byte> Table => Lut;

    public static void Distances(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances)
    {
        var n = codes.Length / words;
        var lut = Lut;
        ref var c = ref MemoryMarshal.GetReference(codes);
        ref var d = ref MemoryMarshal.GetReference(distances);
        var i = 0;
        if (words == 1)
        {
            var q = Vector512.Create(query[0]);
            for (; i + 8 <= n; i += 8)
            {
                var p = PopCount64(Vector512.LoadUnsafe(ref c, (nuint)i) ^ q, lut);
                Avx512F.ConvertToVector256Int32(p.AsInt64()).StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (words == 2)
        {
            var q = Vector512.Create(query[0], query[1], query[0], query[1], query[0], query[1], query[0], query[1]);
            var even = Vector512.Create(0UL, 2, 4, 6, 8, 10, 12, 14);
            var odd = Vector512.Create(1UL, 3, 5, 7, 9, 11, 13, 15);
            for (; i + 8 <= n; i += 8)
            {
                var a = PopCount64(Vector512.LoadUnsafe(ref c, (nuint)(2 * i)) ^ q, lut);
                var b = PopCount64(Vector512.LoadUnsafe(ref c, (nuint)(2 * i + 8)) ^ q, lut);
                var s = Avx512F.PermuteVar8x64x2(a, even, b) + Avx512F.PermuteVar8x64x2(a, odd, b);
                Avx512F.ConvertToVector256Int32(s.AsInt64()).StoreUnsafe(ref d, (nuint)i);
            }
        }
        HammingPopcnt.Distances(query, codes, words, distances, i);
    }
}
