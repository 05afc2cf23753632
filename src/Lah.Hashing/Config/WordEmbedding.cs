namespace Lah.Hashing.Config;

/// <summary>The GCN's label input.</summary>
public enum WordEmbedding
{
    /// <summary>GloVe vectors (the official default, <c>*_glove_word2vec.pkl</c>).</summary>
    Glove,
    GoogleNews,
    FastText,

    /// <summary>The R×R identity: labels without semantics, only the graph.</summary>
    OneHot,

    /// <summary>No label branch at all: no GCN and no fusion; the pooled feature goes straight to the hash layer (DCH).</summary>
    None,
}
