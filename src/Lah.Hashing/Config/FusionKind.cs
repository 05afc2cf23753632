using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>
/// How image features and label embeddings meet. The <see cref="EnumMemberAttribute"/> values are the spellings
/// experiment records use (in YAML and in their content hash), as on every setting enum of Lah.Hashing.
/// </summary>
public enum FusionKind
{
    /// <summary>Multi-modal factorised bilinear pooling (LAH, <c>--IS_USE_MFB</c>).</summary>
    [EnumMember(Value = "mfb")]
    Mfb,

    /// <summary>ML-GCN's dot product f·Eᵀ; the GCN's output size is then the image feature size.</summary>
    [EnumMember(Value = "dot-product")]
    DotProduct,

    /// <summary>No fusion: the image feature alone goes to the hash layer; only with <see cref="WordEmbedding.None"/>.</summary>
    [EnumMember(Value = "no-fusion")]
    None,
}
