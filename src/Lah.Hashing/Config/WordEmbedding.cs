using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>The GCN's label input.</summary>
public enum WordEmbedding
{
    /// <summary>GloVe vectors (the official default, <c>*_glove_word2vec.pkl</c>).</summary>
    [EnumMember(Value = "glove")]
    Glove,
    [EnumMember(Value = "google-news")]
    GoogleNews,
    [EnumMember(Value = "fast-text")]
    FastText,

    /// <summary>The R×R identity: labels without semantics, only the graph.</summary>
    [EnumMember(Value = "one-hot")]
    OneHot,

    /// <summary>No label branch at all: no GCN and no fusion; the pooled feature goes straight to the hash layer (DCH).</summary>
    [EnumMember(Value = "no-embedding")]
    None,
}
