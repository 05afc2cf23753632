using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>Pairwise label similarity s_ij for the Cauchy cross-entropy.</summary>
public enum SimilarityKind
{
    /// <summary>Jaccard |Li∩Lj| / |Li∪Lj| off the diagonal, 1 on it (<c>--IS_USE_IOU</c>, the README's setting).</summary>
    [EnumMember(Value = "iou")]
    Iou,

    /// <summary>1 when any label is shared (DCH's definition; "original" in the code).</summary>
    [EnumMember(Value = "any-shared")]
    Original,
}
