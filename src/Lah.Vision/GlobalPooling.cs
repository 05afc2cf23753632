using System.Runtime.Serialization;

namespace Lah.Vision;

/// <summary>How a backbone reduces its last feature map to one vector per image.</summary>
public enum GlobalPooling
{
    /// <summary>Adaptive average pooling to 1×1 (torchvision's classifier path).</summary>
    [EnumMember(Value = "avg-pool")]
    Average,

    /// <summary>Max over the spatial dimensions (LAH's image feature: 448 input → 14×14 conv5 map → max).</summary>
    [EnumMember(Value = "max-pool")]
    Max,
}
