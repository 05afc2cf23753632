using System.Numerics;

namespace Lah.Retrieval.Metrics;

/// <summary>
/// Multi-hot label rows packed as bit sets, so the number of shared labels is an AND of words and a popcount
/// (relevance over a whole database goes through <see cref="LabelBitmaps"/>). A value &gt; 0 (float) or ≠ 0 (byte) is a positive label.
/// </summary>
public sealed class MultiHot
{
    private MultiHot(int rows, int labels, ulong[] bits)
    {
        Rows = rows;
        Labels = labels;
        WordsPerRow = (labels + 63) >> 6;
        Bits = bits;
    }

    public int Rows { get; }
    public int Labels { get; }
    public int WordsPerRow { get; }
    internal ulong[] Bits { get; }

    public static MultiHot FromFloats(ReadOnlySpan<float> values, int rows, string name = "labels")
    {
        var labels = LabelCount(values.Length, rows, name);
        var w = (labels + 63) >> 6;
        var bits = new ulong[rows * w];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < labels; j++)
                if (values[i * labels + j] > 0f) bits[i * w + (j >> 6)] |= 1UL << (j & 63);
        return new MultiHot(rows, labels, bits);
    }

    public static MultiHot FromBytes(ReadOnlySpan<byte> values, int rows, string name = "labels")
    {
        var labels = LabelCount(values.Length, rows, name);
        var w = (labels + 63) >> 6;
        var bits = new ulong[rows * w];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < labels; j++)
                if (values[i * labels + j] != 0) bits[i * w + (j >> 6)] |= 1UL << (j & 63);
        return new MultiHot(rows, labels, bits);
    }

    /// <summary>Rows already packed as bit sets (⌈labels/64⌉ words per row, bit j: label j).</summary>
    public static MultiHot FromWords(ulong[] words, int rows, int labels)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (rows < 0 || labels <= 0 || words.Length != rows * ((labels + 63) >> 6))
            throw new ArgumentException($"words: {words.Length} words for {rows} rows of {labels} labels");
        return new MultiHot(rows, labels, words);
    }

    /// <summary>Row-major multi-hot floats (1 positive, 0 otherwise).</summary>
    public float[] ToFloats()
    {
        var o = new float[(long)Rows * Labels];
        for (var i = 0; i < Rows; i++)
            for (var j = 0; j < Labels; j++)
                if ((Bits[i * WordsPerRow + (j >> 6)] >> (j & 63) & 1) != 0) o[(long)i * Labels + j] = 1f;
        return o;
    }

    /// <summary>The rows at the given positions.</summary>
    public MultiHot Select(ReadOnlySpan<int> rows)
    {
        var bits = new ulong[rows.Length * WordsPerRow];
        for (var i = 0; i < rows.Length; i++)
            Row(rows[i]).CopyTo(bits.AsSpan(i * WordsPerRow, WordsPerRow));
        return new MultiHot(rows.Length, Labels, bits);
    }

    internal ReadOnlySpan<ulong> Row(int i) => Bits.AsSpan(i * WordsPerRow, WordsPerRow);

    /// <summary>Number of labels two rows share (this row i, other row j).</summary>
    internal int Shared(int i, MultiHot other, int j)
    {
        var a = Row(i);
        var b = other.Row(j);
        var s = 0;
        for (var k = 0; k < a.Length; k++) s += BitOperations.PopCount(a[k] & b[k]);
        return s;
    }

    private static int LabelCount(int length, int rows, string name)
    {
        if (rows <= 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"{name}: row count must be > 0");
        if (length % rows != 0 || length == 0)
            throw new ArgumentException($"{name} has {length} values, not a positive multiple of {rows} rows");
        return length / rows;
    }
}
