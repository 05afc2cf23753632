using System.Runtime.Serialization;

namespace Lah.Hashing.Graph;

/// <summary>How gen_adj turns A into the propagation matrix Â.</summary>
public enum AdjacencyNormalization
{
    /// <summary>Â = D·Aᵀ·D, D = diag(row sums of A)^(-1/2), what the official code computes ((A·D)ᵀ·D): node i aggregates the j with P(L_i | L_j) ≥ τ.</summary>
    [EnumMember(Value = "transposed-propagation")]
    Transposed,

    /// <summary>Â = D·A·D, D = diag(row sums of A)^(-1/2), without added self-loops.</summary>
    [EnumMember(Value = "symmetric-propagation")]
    Symmetric,

    /// <summary>
    /// The paper's (Kipf–Welling's) renormalisation Â = D̃^(-1/2)(A + I)D̃^(-1/2), D̃ = diag(row sums of A + I): the
    /// identity is added to whatever A is (so an official A, diagonal 1, gets 2 there; a paper A gets 2 − q).
    /// </summary>
    [EnumMember(Value = "paper-propagation")]
    Paper,
}
