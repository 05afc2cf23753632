namespace Lah.Hashing.Graph;

/// <summary>How gen_adj turns A into the propagation matrix Â, with D = diag(row sums of A)^(-1/2).</summary>
public enum AdjacencyNormalization
{
    /// <summary>Â = D·Aᵀ·D, what the official code computes ((A·D)ᵀ·D): node i aggregates the j with P(L_i | L_j) ≥ τ.</summary>
    Transposed,

    /// <summary>Â = D·A·D, the symmetric normalisation of the GCN literature.</summary>
    Symmetric,
}
