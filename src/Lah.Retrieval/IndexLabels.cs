using Lah.Retrieval.Metrics;

namespace Lah.Retrieval;

/// <summary>Labels stored with an index's codes: one multi-hot row per code, in the codes' order, and the label names
/// (empty when unknown).</summary>
public sealed record IndexLabels(IReadOnlyList<string> Names, MultiHot Rows)
{
    public IndexLabels(IReadOnlyList<string> names, ReadOnlySpan<float> multiHot, int rows)
        : this(names, MultiHot.FromFloats(multiHot, rows, "labels"))
    {
        if (names.Count != 0 && names.Count != Rows.Labels)
            throw new ArgumentException($"names: {names.Count} names for {Rows.Labels} labels", nameof(names));
    }
}
