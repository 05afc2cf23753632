using Lah.Training.Inference;

namespace Lah.Training.Caching;

/// <summary>Pooled features with their labels, how they were obtained, and why an old entry was replaced (if it was).</summary>
public sealed record FeatureCacheResult(FeatureSet Features, FeatureCacheStatus Status, string Directory, string? InvalidatedBecause);
