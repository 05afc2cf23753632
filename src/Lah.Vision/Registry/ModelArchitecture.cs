using Lah.Torch;

namespace Lah.Vision.Registry;

/// <summary>
/// Builds one architecture with random weights, every draw from <paramref name="generator"/> (never the process-global
/// one). Null <paramref name="pooling"/> keeps the architecture's default; <paramref name="widths"/> are the small CNN's
/// channel widths (null: its default), and an architecture without such widths throws naming the option.
/// </summary>
public delegate Backbone ModelBuilder(int numClasses, GlobalPooling? pooling, IReadOnlyList<int>? widths, Generator generator);

/// <summary>
/// One registered architecture: its name, a builder that only sets architecture arguments (class count, pooling,
/// widths) and draws from the generator given, and its pretrained configurations by tag (the first is the default).
/// </summary>
public sealed record ModelArchitecture(
    string Name,
    ModelBuilder Build,
    int DefaultNumClasses,
    IReadOnlyList<PretrainedConfig> Pretrained)
{
    public PretrainedConfig? DefaultPretrained => Pretrained.Count > 0 ? Pretrained[0] : null;
}
