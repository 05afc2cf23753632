using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>The weight w_ij of each pair in the Cauchy cross-entropy.</summary>
public enum PairWeighting
{
    /// <summary>
    /// The official code (from DCH's TF code): w = |s − 1| + (Σ|2s − 1| / Σs)·s with both sums over the full B×B matrix,
    /// diagonal included; for binary s a dissimilar pair weighs 1 and a similar one |S|/|S_s| (S counting B² entries).
    /// </summary>
    [EnumMember(Value = "official-weights")]
    Official,

    /// <summary>
    /// The paper's Eq. 4: a similar pair weighs |S|/|S_s| and a dissimilar one |S|/|S_d|, with S the B(B − 1) pairs
    /// i ≠ j the loss sums over, S_s = {s_ij = 1} and S_d = {s_ij = 0} among them. For soft (IOU) s, |S_s| = Σ s_ij,
    /// |S_d| = Σ (1 − s_ij) and w = s·|S|/|S_s| + (1 − s)·|S|/|S_d| (linear in s, as the official weight is).
    /// </summary>
    [EnumMember(Value = "paper-weights")]
    Paper,
}
