using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lah.Retrieval.Kernels;

/// <summary>Run-time choice of the Hamming kernel and the batch entry points over spans.</summary>
public static class Hamming
{
    /// <summary>The fastest kernel this CPU supports (LAH_HAMMING_KERNEL=Scalar|Popcnt|Vector256|Vector512 overrides).</summary>
    public static HammingKernel Best { get; } = ChooseBest();

    /// <summary>Every kernel this CPU can run, slowest first.</summary>
    public static IReadOnlyList<HammingKernel> Supported { get; } =
        Enum.GetValues<HammingKernel>().Where(IsSupported).ToArray();

    /// <summary>Whether this CPU can run <paramref name="kernel"/>.</summary>
    public static bool IsSupported(HammingKernel kernel) => kernel switch
    {
        HammingKernel.Scalar => true,
        HammingKernel.Popcnt => Popcnt.X64.IsSupported,
        HammingKernel.Vector256 => Avx2.IsSupported && Popcnt.X64.IsSupported,
        HammingKernel.Vector512 => Avx512BW.IsSupported && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && Popcnt.X64.IsSupported,
        _ => false,
    };

    /// <summary>Hamming distance between two codes of the same word count.</summary>
    public static int Distance(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"codes have {a.Length} and {b.Length} words");
        var d = 0;
        for (var i = 0; i < a.Length; i++) d += System.Numerics.BitOperations.PopCount(a[i] ^ b[i]);
        return d;
    }

    /// <summary>
    /// distances[i] = Hamming(query, codes[i*words .. (i+1)*words)) for every code in <paramref name="codes"/>.
    /// </summary>
    public static void Distances(HammingKernel kernel, ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances)
    {
        if (words <= 0 || query.Length != words)
            throw new ArgumentException($"query has {query.Length} words, expected {words}", nameof(query));
        if (codes.Length % words != 0)
            throw new ArgumentException($"codes has {codes.Length} words, not a multiple of {words}", nameof(codes));
        var n = codes.Length / words;
        if (distances.Length < n)
            throw new ArgumentException($"distances has room for {distances.Length}, need {n}", nameof(distances));
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"Hamming kernel {kernel} is not supported by this CPU");
        switch (kernel)
        {
            case HammingKernel.Scalar: HammingScalar.Distances(query, codes, words, distances); break;
            case HammingKernel.Popcnt: HammingPopcnt.Distances(query, codes, words, distances); break;
            case HammingKernel.Vector256: HammingVector256.Distances(query, codes, words, distances); break;
            default: HammingVector512.Distances(query, codes, words, distances); break;
        }
    }

    /// <inheritdoc cref="Distances(HammingKernel, ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, Span{int})"/>
    public static void Distances(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> codes, int words, Span<int> distances) =>
        Distances(Best, query, codes, words, distances);

    private static HammingKernel ChooseBest()
    {
        var forced = Environment.GetEnvironmentVariable("LAH_HAMMING_KERNEL");
        if (!string.IsNullOrEmpty(forced))
        {
            if (!Enum.TryParse<HammingKernel>(forced, true, out var k) || !IsSupported(k))
                throw new InvalidOperationException($"LAH_HAMMING_KERNEL='{forced}' is not a kernel this CPU supports (Scalar, Popcnt, Vector256, Vector512)");
            return k;
        }
        for (var k = HammingKernel.Vector512; k > HammingKernel.Scalar; k--)
            if (IsSupported(k)) return k;
        return HammingKernel.Scalar;
    }
}
