namespace Lah.Vision.Registry;

/// <summary>What <see cref="ModelRegistry.Create"/> may change about an architecture: head, pooling, widths and weights.</summary>
public sealed record ModelOptions
{
    /// <summary>Classifier outputs; 0 removes `fc` (a feature backbone); null keeps the pretrained or default count.</summary>
    public int? NumClasses { get; init; }
    /// <summary>Pooling of <see cref="Backbone.ForwardPooled"/>; null keeps the architecture's default.</summary>
    public GlobalPooling? Pooling { get; init; }
    /// <summary>The small CNN's channel widths, one stage each; null keeps its default. Any other architecture rejects it.</summary>
    public IReadOnlyList<int>? Widths { get; init; }
    /// <summary>Load the tag's weights (a name with a tag, e.g. `resnet101.tv_in1k`, implies it).</summary>
    public bool Pretrained { get; init; }
    /// <summary>An explicit safetensors file with torchvision names; overrides the lookup in <see cref="WeightsDir"/>.</summary>
    public string? WeightsFile { get; init; }
    /// <summary>Folder searched for `arch.tag/model.safetensors` or `arch.tag.safetensors`; default $LAH_WEIGHTS_DIR.</summary>
    public string? WeightsDir { get; init; }
}
