namespace Lah.Hashing.Config;

/// <summary>How image features and label embeddings meet.</summary>
public enum FusionKind
{
    /// <summary>Multi-modal factorised bilinear pooling (LAH, <c>--IS_USE_MFB</c>).</summary>
    Mfb,

    /// <summary>ML-GCN's dot product f·Eᵀ; the GCN's output size is then the image feature size.</summary>
    DotProduct,
}
