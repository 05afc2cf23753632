using System.Runtime.Serialization;

namespace Lah.Hashing.Graph;

/// <summary>How the binarised co-occurrence matrix is re-weighted into the label correlation matrix A.</summary>
public enum LabelGraphVariant
{
    /// <summary>The released code (util.py gen_A): binarised with P &lt; τ ↦ 0, each column scaled by p / column sum, then the identity added (diagonal 1).</summary>
    [EnumMember(Value = "official-graph")]
    Official,

    /// <summary>
    /// The LAH paper text (§2.2): binarised with P ≤ τ ↦ 0 (strictly above τ is an edge; the official code keeps
    /// P = τ), each row scaled by q / row sum off the diagonal, diagonal 1 − q.
    /// </summary>
    [EnumMember(Value = "paper-graph")]
    Paper,
}
