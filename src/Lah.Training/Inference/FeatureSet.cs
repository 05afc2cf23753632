namespace Lah.Training.Inference;

/// <summary>Precomputed pooled image features (N×D, row-major) with their multi-hot labels (N×R, 0/1).</summary>
public sealed record FeatureSet
{
    public float[] Features { get; }
    public float[] Labels { get; }
    public int Count { get; }
    public int FeatureDim { get; }
    public int LabelCount { get; }

    public FeatureSet(float[] features, float[] labels, int count, int featureDim, int labelCount)
    {
        if (count <= 0 || featureDim <= 0 || labelCount <= 0)
            throw new ArgumentException($"FeatureSet: expected positive count, featureDim and labelCount, got {count}, {featureDim}, {labelCount}");
        if (features.Length != (long)count * featureDim)
            throw new ArgumentException($"features: expected count × featureDim = {count}×{featureDim} values, got {features.Length}");
        if (labels.Length != (long)count * labelCount)
            throw new ArgumentException($"labels: expected count × labelCount = {count}×{labelCount} values, got {labels.Length}");
        (Features, Labels, Count, FeatureDim, LabelCount) = (features, labels, count, featureDim, labelCount);
    }

    /// <summary>Rows <paramref name="rows"/> as new arrays (features, labels).</summary>
    public (float[] Features, float[] Labels) Gather(ReadOnlySpan<int> rows)
    {
        var f = new float[rows.Length * FeatureDim];
        var l = new float[rows.Length * LabelCount];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(Features, (long)rows[i] * FeatureDim, f, (long)i * FeatureDim, FeatureDim);
            Array.Copy(Labels, (long)rows[i] * LabelCount, l, (long)i * LabelCount, LabelCount);
        }
        return (f, l);
    }
}
