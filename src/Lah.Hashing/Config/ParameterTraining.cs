using System.Runtime.Serialization;

namespace Lah.Hashing.Config;

/// <summary>Whether the MFB projections and the hash layer are optimised.</summary>
public enum ParameterTraining
{
    /// <summary>Every parameter is in the optimizer (the paper's intent; our default).</summary>
    [EnumMember(Value = "trained")]
    Trained,

    /// <summary>
    /// As released (models.py get_config_optim): the optimizer holds only the GCN (and backbone);
    /// <c>Linear_imgdataproj</c>, <c>Linear_classifierproj</c> and <c>hash_layer</c> keep their random initialisation,
    /// their gradients are never zeroed so they accumulate across steps, and they still count in the gradient-norm
    /// clipping, which shrinks the trained parameters' steps over time. Offered to reproduce the official numbers.
    /// </summary>
    [EnumMember(Value = "official-frozen")]
    OfficialFrozen,
}
