namespace Lah.Data;

/// <summary>
/// Which items of one pool train the model, which are queries and which form the retrieval database
/// (indices into the pool). Under the official LAH protocol the database is the query set itself
/// (leave-one-out); under DCH's the database is separate from the queries.
/// </summary>
public sealed record RetrievalSplit(string Protocol, ulong Seed, int[] Train, int[] Query, int[] Database)
{
    /// <summary>True when each query is left out of its own database list at evaluation (official LAH).</summary>
    public bool LeaveOneOut => Protocol.StartsWith("lah", StringComparison.Ordinal);
}
