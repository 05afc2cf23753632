using System.Numerics;

namespace Lah.Retrieval.Metrics;

/// <summary>
/// One bitmap over the database rows per label. The rows relevant to a query (sharing at least one label) are the OR
/// of its labels' bitmaps: a few thousand word ORs and popcounts per query instead of one label intersection per
/// database row, and each row's relevance is then one bit test.
/// </summary>
internal sealed class LabelBitmaps
{
    private readonly ulong[] _bits;

    public LabelBitmaps(MultiHot rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Rows = rows.Rows;
        Words = (rows.Rows + 63) >> 6;
        _bits = new ulong[(long)rows.Labels * Words];
        for (var i = 0; i < rows.Rows; i++)
        {
            var row = rows.Row(i);
            for (var w = 0; w < row.Length; w++)
                for (var m = row[w]; m != 0; m &= m - 1)
                {
                    var label = (w << 6) + BitOperations.TrailingZeroCount(m);
                    _bits[(long)label * Words + (i >> 6)] |= 1UL << (i & 63);
                }
        }
    }

    public int Rows { get; }

    /// <summary>Words of one bitmap (and of a relevance mask).</summary>
    public int Words { get; }

    /// <summary>
    /// Writes into <paramref name="mask"/> (<see cref="Words"/> long) the rows that share a label with
    /// <paramref name="query"/> (a row of a <see cref="MultiHot"/> over the same labels); returns how many there are.
    /// </summary>
    public int Relevant(ReadOnlySpan<ulong> query, Span<ulong> mask)
    {
        mask.Clear();
        for (var w = 0; w < query.Length; w++)
            for (var m = query[w]; m != 0; m &= m - 1)
            {
                var label = (w << 6) + BitOperations.TrailingZeroCount(m);
                var bitmap = _bits.AsSpan((int)((long)label * Words), Words);
                for (var j = 0; j < mask.Length; j++) mask[j] |= bitmap[j];
            }
        var count = 0;
        foreach (var v in mask) count += BitOperations.PopCount(v);
        return count;
    }

    public static bool IsSet(ReadOnlySpan<ulong> mask, int row) => ((mask[row >> 6] >> (row & 63)) & 1) != 0;
}
