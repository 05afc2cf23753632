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
        new(name, (classes, pooling) => new ResNet(config with { NumClasses = classes, Pooling = pooling ?? config.Pooling }),
            1000, [TorchvisionIn1k(name, weightsEnum)]);

    public static IReadOnlyList<ModelArchitecture> All() =>
    [
        ResNet("resnet18", ResNetConfig.ResNet18, "ResNet18_Weights"),
        ResNet("resnet34", ResNetConfig.ResNet34, "ResNet34_Weights"),
        ResNet("resnet50", ResNetConfig.ResNet50, "ResNet50_Weights"),
        ResNet("resnet101", ResNetConfig.ResNet101, "ResNet101_Weights"),
        new("smallcnn", (classes, pooling) => new SmallCnn(new SmallCnnConfig { NumClasses = classes, Pooling = pooling ?? GlobalPooling.Max }),
            0, []),
    ];
}
