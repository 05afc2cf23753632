namespace Lah.Training.Caching;

/// <summary>How <see cref="FeatureCache.GetOrCompute"/> obtained its features.</summary>
public enum FeatureCacheStatus
{
    /// <summary>Nothing cached for this data: the backbone ran.</summary>
    Computed,

    /// <summary>Read from the shards; the backbone did not run.</summary>
    Hit,

    /// <summary>A cache existed for this data, but backbone, weights or transform differ: it was replaced.</summary>
    Invalidated,
}
