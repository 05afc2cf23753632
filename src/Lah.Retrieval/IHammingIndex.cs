namespace Lah.Retrieval;

/// <summary>A searchable set of packed binary codes. Results are sorted by (distance, id).</summary>
public interface IHammingIndex
{
    /// <summary>Code length K in bits.</summary>
    int Bits { get; }

    /// <summary>Number of indexed codes.</summary>
    int Count { get; }

    /// <summary>Every item with Hamming distance ≤ <paramref name="radius"/> (inclusive).</summary>
    Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius);

    /// <summary>Radius search for every code of <paramref name="queries"/>, spread over up to <paramref name="threads"/> cores (≤ 0: all).</summary>
    Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0);
}
