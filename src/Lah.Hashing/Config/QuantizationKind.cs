using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>The quantisation penalty pulling relaxed codes to ±1.</summary>
public enum QuantizationKind
{
    /// <summary>mean_{i,k} (|u_ik| − 1)², what the official code computes.</summary>
    [EnumMember(Value = "squared")]
    Squared,

    /// <summary>The paper's (DCH's) Cauchy quantisation mean_i log(1 + δ(|u_i|, 1)/γ), δ the configured distance.</summary>
    [EnumMember(Value = "cauchy-quantization")]
    Cauchy,
}
