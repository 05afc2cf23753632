namespace Lah.Vision.Registry;

/// <summary>
/// Where one set of pretrained weights comes from and how its images were prepared, as plain data (timm's
/// `PretrainedCfg`). Weights are read from a local safetensors file with torchvision's names; nothing is downloaded.
/// </summary>
public sealed record PretrainedConfig
{
    /// <summary>The part after the dot in `arch.tag` (e.g. `tv_in1k`: torchvision's ImageNet-1k weights).</summary>
    public required string Tag { get; init; }
    /// <summary>Hugging Face repository holding `model.safetensors` (timm's upload), e.g. `timm/resnet101.tv_in1k`.</summary>
    public string? HfHubId { get; init; }
    public string FileName { get; init; } = "model.safetensors";
    /// <summary>The original weights (e.g. torchvision's weight enum), for provenance.</summary>
    public string? Source { get; init; }
    public (int Channels, int Height, int Width) InputSize { get; init; } = (3, 224, 224);
    public double CropPct { get; init; } = 0.875;
    public string Interpolation { get; init; } = "bilinear";
    public IReadOnlyList<double> Mean { get; init; } = [0.485, 0.456, 0.406];
    public IReadOnlyList<double> Std { get; init; } = [0.229, 0.224, 0.225];
    public int NumClasses { get; init; } = 1000;
    /// <summary>Parameter prefix of the classifier, dropped when the model is built with another class count.</summary>
    public string Classifier { get; init; } = "fc";
    public string FirstConv { get; init; } = "conv1";
    public string? License { get; init; }
    public string? PaperId { get; init; }
}
