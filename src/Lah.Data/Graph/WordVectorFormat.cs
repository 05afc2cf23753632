namespace Lah.Data;

public enum WordVectorFormat
{
    /// <summary>GloVe text: `word v1 … vD` per line, no header.</summary>
    GloveText,

    /// <summary>word2vec binary (GoogleNews): `N D\n`, then `word ` + D little-endian float32 per entry.</summary>
    Word2VecBinary,

    /// <summary>fastText `.vec`: a `N D` header line, then GloVe-style text lines.</summary>
    FastTextVec,
}
