namespace Lah.Training.Caching;

/// <summary>
/// What a cache entry was computed from and where its shards are; written last (atomically), so an entry without a
/// manifest is incomplete and never read.
/// </summary>
public sealed record FeatureCacheManifest
{
    public const string CurrentFormat = "lah-feature-cache/1";

    public string Format { get; init; } = CurrentFormat;
    public string Dataset { get; init; } = "";
    public string DataFingerprint { get; init; } = "";
    public string Backbone { get; init; } = "";
    public string WeightsFingerprint { get; init; } = "";
    public string Transform { get; init; } = "";
    public int Count { get; init; }
    public int FeatureDim { get; init; }
    public int LabelCount { get; init; }
    public List<string> Shards { get; init; } = [];

    /// <summary>The first difference from <paramref name="other"/> that invalidates the entry, or null.</summary>
    public string? DifferenceFrom(FeatureCacheManifest other) =>
        Format != other.Format ? $"format {Format} → {other.Format}"
        : Backbone != other.Backbone ? $"backbone {Backbone} → {other.Backbone}"
        : WeightsFingerprint != other.WeightsFingerprint ? $"weights {WeightsFingerprint[..12]} → {other.WeightsFingerprint[..12]}"
        : Transform != other.Transform ? $"transform {Transform} → {other.Transform}"
        : DataFingerprint != other.DataFingerprint ? "data"
        : null;
}
