using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>How the loss terms are reduced over the batch.</summary>
public enum LossReduction
{
    /// <summary>Means, as the official code: L_cce over the B(B − 1) pairs, squared L_q over the B·K entries, Cauchy L_q over the B codes.</summary>
    [EnumMember(Value = "mean-reduction")]
    Mean,

    /// <summary>
    /// Sums, as the paper's Eq. 4 and 5 write them: Σ over the B(B − 1) pairs, Σ over the B·K entries (squared) or the
    /// B codes (Cauchy). Relative to <see cref="Mean"/> this scales L_cce by B(B − 1) and L_q by B·K (or B), so the same
    /// λ weighs L_q K/(B − 1) (or 1/(B − 1)) times as much — see the Lah.Hashing README.
    /// </summary>
    [EnumMember(Value = "sum-reduction")]
    Sum,
}
