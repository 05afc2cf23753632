namespace Lah.Data;

/// <summary>
/// Which items of one pool train the model, which are queries and which form the retrieval database
/// (indices into the pool). Under the official LAH protocol the database is the query set itself
/// (leave-one-out); under DCH's the database is separate from the queries.
/// </summary>
public sealed record RetrievalSplit(string Protocol, ulong Seed, int[] Train, int[] Query, int[] Database)
{
    /// <summary>
    /// The queries are the database (official LAH): each query is searched against the others, never itself. Set by
    /// the protocol that builds the split; nothing reads it from the protocol's name.
    /// </summary>
    public bool LeaveOneOut { get; init; }
}
