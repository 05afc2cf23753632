namespace Lah.Vision.Models;

/// <summary>
/// Architecture arguments of a torchvision ResNet: block, blocks per stage, groups and width_per_group; the classifier
/// size (0 removes it) and the global pooling of <see cref="Backbone.ForwardPooled"/>.
/// </summary>
public sealed record ResNetConfig
{
    public BlockKind Block { get; init; } = BlockKind.Bottleneck;
    public IReadOnlyList<int> Layers { get; init; } = [3, 4, 6, 3];
    public int Groups { get; init; } = 1;
    public int WidthPerGroup { get; init; } = 64;
    public int NumClasses { get; init; } = 1000;
    public GlobalPooling Pooling { get; init; } = GlobalPooling.Average;
    /// <summary>torchvision's zero_init_residual: the last BN of each block starts at γ = 0.</summary>
    public bool ZeroInitResidual { get; init; }

    public static ResNetConfig ResNet18 => new() { Block = BlockKind.Basic, Layers = [2, 2, 2, 2] };
    public static ResNetConfig ResNet34 => new() { Block = BlockKind.Basic, Layers = [3, 4, 6, 3] };
    public static ResNetConfig ResNet50 => new() { Block = BlockKind.Bottleneck, Layers = [3, 4, 6, 3] };
    public static ResNetConfig ResNet101 => new() { Block = BlockKind.Bottleneck, Layers = [3, 4, 23, 3] };

    public int Expansion => Block == BlockKind.Basic ? BasicBlock.Expansion : Bottleneck.Expansion;

    /// <summary>Channels of conv5 (layer4's output): 512 × expansion.</summary>
    public int NumFeatures => 512 * Expansion;

    /// <summary>Throws naming the field when the arguments cannot build a ResNet.</summary>
    public void Validate()
    {
        if (Layers.Count != 4 || Layers.Any(n => n <= 0))
            throw new ArgumentException($"ResNetConfig.Layers: expected four positive block counts, got [{string.Join(", ", Layers)}]");
        if (Groups <= 0) throw new ArgumentException($"ResNetConfig.Groups: expected a positive count, got {Groups}");
        if (WidthPerGroup <= 0) throw new ArgumentException($"ResNetConfig.WidthPerGroup: expected a positive width, got {WidthPerGroup}");
        if (Block == BlockKind.Basic && (Groups != 1 || WidthPerGroup != 64))
            throw new ArgumentException(
                $"ResNetConfig: BasicBlock only supports Groups = 1 and WidthPerGroup = 64, got {Groups} and {WidthPerGroup}");
        if (NumClasses < 0) throw new ArgumentException($"ResNetConfig.NumClasses: expected ≥ 0 (0 removes fc), got {NumClasses}");
    }
}
