namespace Lah.Vision.Registry;

/// <summary>
/// One registered architecture: its name, a builder that only sets architecture arguments (given the class count and
/// pooling), and its pretrained configurations by tag (the first is the default).
/// </summary>
public sealed record ModelArchitecture(
    string Name,
    Func<int, GlobalPooling?, Backbone> Build,
    int DefaultNumClasses,
    IReadOnlyList<PretrainedConfig> Pretrained)
{
    public PretrainedConfig? DefaultPretrained => Pretrained.Count > 0 ? Pretrained[0] : null;
}
