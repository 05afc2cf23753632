using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>How the Cauchy cross-entropy and the quantisation term are weighted by λ.</summary>
public enum LossCombination
{
    /// <summary>L_cce + λ·L_q, as the official code (cauchy_hash.py:74-76).</summary>
    [EnumMember(Value = "official-combination")]
    Official,

    /// <summary>λ·L_cce + (1 − λ)·L_q, as the paper writes it.</summary>
    [EnumMember(Value = "paper-combination")]
    Paper,
}
