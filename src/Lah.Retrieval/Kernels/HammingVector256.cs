using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval.Kernels;

/// <summary>
/// AVX2 kernel: per-byte popcount by a nibble lookup (VPSHUFB), summed per 64-bit lane by VPSADBW. Vectorised across
/// codes for 1 and 2 words; longer codes use POPCNT per word.
/// </summary>
internal static class HammingVector256
{
    private static readonly Vector256<byte> Lut = Vector256.Create(
        (byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> PopCount64(Vector256<ulong> x, Vector256<byte> lut)
    {
        var low = Vector256.Create((byte)0x0F);
        var b = x.AsByte();
        var lo = Avx2.Shuffle(lut, b & low);
        var hi = Avx2.Shuffle(lut, Avx2.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
        return Avx2.SumAbsoluteDifferences(lo + hi, Vector256<byte>.Zero).AsUInt64();
    }

    public static void Distances(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances)
    {
        var n = codes.Length / words;
        var lut = Lut;
        ref var c = ref MemoryMarshal.GetReference(codes);
        ref var d = ref MemoryMarshal.GetReference(distances);
        var narrow = Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6);
        var i = 0;
        if (words == 1)
        {
            var q = Vector256.Create(query[0]);
            for (; i + 4 <= n; i += 4)
            {
                var p = PopCount64(Vector256.LoadUnsafe(ref c, (nuint)i) ^ q, lut);
                Avx2.PermuteVar8x32(p.AsInt32(), narrow).GetLower().StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (words == 2)
        {
            var q = Vector256.Create(query[0], query[1], query[0], query[1]);
            for (; i + 4 <= n; i += 4)
            {
                var a = PopCount64(Vector256.LoadUnsafe(ref c, (nuint)(2 * i)) ^ q, lut);
                var b = PopCount64(Vector256.LoadUnsafe(ref c, (nuint)(2 * i + 4)) ^ q, lut);
                // [a0, b0, a1, b1] = codes i, i+2, i+1, i+3 → reorder to i..i+3.
                var s = Avx2.UnpackLow(a, b) + Avx2.UnpackHigh(a, b);
                s = Avx2.Permute4x64(s, 0b11_01_10_00);
                Avx2.PermuteVar8x32(s.AsInt32(), narrow).GetLower().StoreUnsafe(ref d, (nuint)i);
            }
        }
        HammingPopcnt.Distances(query, codes, words, distances, i);
    }
}
