using Lah.Vision.Models;

namespace Lah.Vision.Registry;

/// <summary>The architectures shipped with Lah.Vision, as a data table (no registration side effects).</summary>
public static class BuiltinModels
{
    private const string ResNetPaper = "arXiv:1512.03385";

    private static PretrainedConfig TorchvisionIn1k(string arch, string weightsEnum) => new()
    {
        Tag = "tv_in1k",
        HfHubId = $"timm/{arch}.tv_in1k",
        Source = $"torchvision {weightsEnum}.IMAGENET1K_V1",
        License = "bsd-3-clause",
        PaperId = ResNetPaper,
    };

    private static ModelArchitecture ResNet(string name, ResNetConfig config, string weightsEnum) =>
        new(name, (classes, pooling, widths, generator) => widths is null
                ? new ResNet(config with { NumClasses = classes, Pooling = pooling ?? config.Pooling }, generator)
                : throw new ArgumentException(
                    $"model '{name}': ModelOptions.Widths sets the small CNN's channel widths; a ResNet's are fixed by its architecture"),
            1000, [TorchvisionIn1k(name, weightsEnum)]);

    private static SmallCnn BuildSmallCnn(int classes, GlobalPooling? pooling, IReadOnlyList<int>? widths, Lah.Torch.Generator generator)
    {
        var config = new SmallCnnConfig { NumClasses = classes, Pooling = pooling ?? GlobalPooling.Max };
        // A copy: the caller's list may change after the model is built.
        if (widths is not null) config = config with { Widths = [.. widths] };
        return new SmallCnn(config, generator);
    }

    public static IReadOnlyList<ModelArchitecture> All() =>
    [
        ResNet("resnet18", ResNetConfig.ResNet18, "ResNet18_Weights"),
        ResNet("resnet34", ResNetConfig.ResNet34, "ResNet34_Weights"),
        ResNet("resnet50", ResNetConfig.ResNet50, "ResNet50_Weights"),
        ResNet("resnet101", ResNetConfig.ResNet101, "ResNet101_Weights"),
        new("smallcnn", BuildSmallCnn, 0, []),
    ];
}
