namespace Lah.Data;

/// <summary>
/// One image's labels: <see cref="Positive"/> and <see cref="Difficult"/> per label (VOC's 0 = difficult).
/// A label is never both; "absent" is neither.
/// </summary>
public sealed class MultiLabel
{
    public MultiLabel(bool[] positive, bool[]? difficult = null)
    {
        Positive = positive;
        Difficult = difficult ?? new bool[positive.Length];
        if (Difficult.Length != Positive.Length)
            throw new ArgumentException($"difficult has {Difficult.Length} entries, positive {Positive.Length}");
    }

    public bool[] Positive { get; }
    public bool[] Difficult { get; }
    public int Count => Positive.Length;
    public int PositiveCount => Positive.Count(p => p);

    /// <summary>0/1 vector; difficult counts as positive by default, as the official code's training targets do.</summary>
    public float[] ToMultiHot(bool difficultAsPositive = true)
    {
        var v = new float[Count];
        for (var i = 0; i < v.Length; i++)
            v[i] = Positive[i] || (difficultAsPositive && Difficult[i]) ? 1f : 0f;
        return v;
    }

    /// <summary>The VOC encoding: 1 positive, 0 difficult, -1 absent.</summary>
    public sbyte[] ToSigned()
    {
        var v = new sbyte[Count];
        for (var i = 0; i < v.Length; i++) v[i] = Positive[i] ? (sbyte)1 : Difficult[i] ? (sbyte)0 : (sbyte)-1;
        return v;
    }

    public static MultiLabel FromIndices(int labelCount, IEnumerable<int> positives)
    {
        var p = new bool[labelCount];
        foreach (var i in positives) p[i] = true;
        return new MultiLabel(p);
    }
}
