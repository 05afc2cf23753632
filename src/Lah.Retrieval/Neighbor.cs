namespace Lah.Retrieval;

/// <summary>One search hit: the item's id, its position in the indexed codes and its Hamming distance.</summary>
public readonly record struct Neighbor(long Id, int Index, int Distance);
