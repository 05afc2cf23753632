using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>The continuous Hamming-distance surrogate between two relaxed codes.</summary>
public enum DistanceKind
{
    /// <summary>K/2 · (1 − u_i·u_j / sqrt(‖u_i‖²(‖u_j‖² + 1e-6)) + 1e-6) (<c>--NORMED</c>, DCH).</summary>
    [EnumMember(Value = "normed")]
    NormalizedCosine,

    /// <summary>‖u_i‖² − 2 u_i·u_j + ‖u_j‖² + 0.001.</summary>
    [EnumMember(Value = "euclidean")]
    Euclidean,
}
