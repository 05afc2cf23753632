using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>Whether the MFB projections are shared by all labels or are one pair per label.</summary>
public enum MfbProjections
{
    /// <summary>
    /// The official code: one image projection (Linear_imgdataproj, D → J) and one label projection
    /// (Linear_classifierproj, C → J) applied to every label.
    /// </summary>
    [EnumMember(Value = "shared-projections")]
    Shared,

    /// <summary>
    /// The paper's Ũ = [U_1 … U_R] and Ṽ = [V_1 … V_R] (§2.3): label r fuses U_rᵀx̃ with V_rᵀE(r_r), each with its
    /// own J×D and J×C weights (plus biases, as the "fc layers" the paper uses to implement them). Parameters
    /// <c>mfb_U.weight</c> (R×J×D), <c>mfb_U.bias</c> (R×J), <c>mfb_V.weight</c> (R×J×C), <c>mfb_V.bias</c> (R×J).
    /// </summary>
    [EnumMember(Value = "per-label-projections")]
    PerLabel,
}
