namespace Lah.Retrieval;

/// <summary>
/// Binary hash codes packed contiguously, <see cref="WordsPerCode"/> 64-bit words per code. Bit j of a code sits in
/// word j/64 at position j%64 and is 1 for a positive value; unused high bits of the last word are always 0, so
/// Hamming distances can XOR whole words.
/// </summary>
public sealed class PackedCodes
{
    /// <summary>Largest supported code length in bits.</summary>
    public const int MaxBits = 1024;

    private PackedCodes(int bits, int count, ulong[] words, long[] ids)
    {
        Bits = bits;
        Count = count;
        WordsPerCode = WordsFor(bits);
        Words = words;
        Ids = ids;
    }

    /// <summary>Code length K in bits (a multiple of 8, at most 1024).</summary>
    public int Bits { get; }

    /// <summary>Number of codes.</summary>
    public int Count { get; }

    /// <summary>64-bit words per code: ceil(K/64).</summary>
    public int WordsPerCode { get; }

    /// <summary>All codes, row-major: code i is Words[i*WordsPerCode .. (i+1)*WordsPerCode).</summary>
    public ulong[] Words { get; }

    /// <summary>Item id of each code (0..Count-1 unless given).</summary>
    public long[] Ids { get; }

    /// <summary>The words of code <paramref name="index"/>.</summary>
    public ReadOnlySpan<ulong> Code(int index) => Words.AsSpan(index * WordsPerCode, WordsPerCode);

    /// <summary>Words needed for a code of <paramref name="bits"/> bits.</summary>
    public static int WordsFor(int bits) => (bits + 63) >> 6;

    /// <summary>Throws unless <paramref name="bits"/> is a multiple of 8 in [8, 1024].</summary>
    public static void CheckBits(int bits, string what = "bits")
    {
        if (bits <= 0 || bits > MaxBits || bits % 8 != 0)
            throw new ArgumentOutOfRangeException(what, bits, $"code length must be a multiple of 8 in [8, {MaxBits}]");
    }

    /// <summary>
    /// Packs real-valued outputs (row-major, <paramref name="count"/> × <paramref name="bits"/>) by sign: a value
    /// &gt; 0 gives bit 1 (+1); 0, negatives and NaN give bit 0 (−1), as the official code's sign with 0 ↦ −1.
    /// </summary>
    public static PackedCodes FromSigns(ReadOnlySpan<float> values, int count, int bits, long[]? ids = null)
    {
        CheckBits(bits);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be >= 0");
        if (values.Length != (long)count * bits)
            throw new ArgumentException($"values has {values.Length} elements, expected count*bits = {(long)count * bits}", nameof(values));
        var w = WordsFor(bits);
        var words = new ulong[(long)count * w];
        for (var i = 0; i < count; i++)
        {
            var row = values.Slice(i * bits, bits);
            var dst = words.AsSpan(i * w, w);
            for (var j = 0; j < bits; j++)
                if (row[j] > 0f) dst[j >> 6] |= 1UL << (j & 63);
        }
        return new PackedCodes(bits, count, words, CheckIds(ids, count));
    }

    /// <summary>Packs double-precision outputs by sign (see the float overload).</summary>
    public static PackedCodes FromSigns(ReadOnlySpan<double> values, int count, int bits, long[]? ids = null)
    {
        var f = new float[values.Length];
        for (var i = 0; i < f.Length; i++) f[i] = values[i] > 0 ? 1f : -1f;
        return FromSigns(f, count, bits, ids);
    }

    /// <summary>Wraps already packed words (taken, not copied); unused high bits must be 0.</summary>
    public static PackedCodes FromWords(ulong[] words, int count, int bits, long[]? ids = null)
    {
        CheckBits(bits);
        var w = WordsFor(bits);
        if (words.Length != (long)count * w)
            throw new ArgumentException($"words has {words.Length} elements, expected count*ceil(bits/64) = {(long)count * w}", nameof(words));
        if (FirstWithPaddingBits(words, count, bits) is int bad)
            throw new ArgumentException($"code {bad} has bits set above bit {bits - 1}", nameof(words));
        return new PackedCodes(bits, count, words, CheckIds(ids, count));
    }

    /// <summary>The first code with a bit set above bit K−1 (distances XOR whole words, so those must be 0), or null.</summary>
    internal static int? FirstWithPaddingBits(ReadOnlySpan<ulong> words, int count, int bits)
    {
        if (bits % 64 == 0) return null;
        var w = WordsFor(bits);
        var mask = ~0UL << (bits & 63);
        for (var i = 0; i < count; i++)
            if ((words[i * w + w - 1] & mask) != 0) return i;
        return null;
    }

    /// <summary>Unpacks to ±1 floats, row-major count × bits.</summary>
    public float[] ToSigns()
    {
        var result = new float[(long)Count * Bits];
        for (var i = 0; i < Count; i++)
        {
            var code = Code(i);
            for (var j = 0; j < Bits; j++)
                result[(long)i * Bits + j] = ((code[j >> 6] >> (j & 63)) & 1) != 0 ? 1f : -1f;
        }
        return result;
    }

    /// <summary>The codes at the given positions (ids kept).</summary>
    public PackedCodes Select(ReadOnlySpan<int> indices)
    {
        var w = WordsPerCode;
        var words = new ulong[indices.Length * w];
        var ids = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            Code(indices[i]).CopyTo(words.AsSpan(i * w, w));
            ids[i] = Ids[indices[i]];
        }
        return new PackedCodes(Bits, indices.Length, words, ids);
    }

    private static long[] CheckIds(long[]? ids, int count)
    {
        if (ids is null)
        {
            var seq = new long[count];
            for (var i = 0; i < count; i++) seq[i] = i;
            return seq;
        }
        if (ids.Length != count)
            throw new ArgumentException($"ids has {ids.Length} elements, expected count = {count}", nameof(ids));
        return ids;
    }
}
