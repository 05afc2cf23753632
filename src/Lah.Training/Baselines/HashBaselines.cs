using Lah.Data;
using Lah.Retrieval;
using Lah.Training.Inference;

namespace Lah.Training.Baselines;

/// <summary>
/// The floors every learned head must clear (random codes aside), under the same metric: LSH (signs of a seeded Gaussian random
/// projection of the same features, centred on the database's mean; outputs tanh of the projection, so DCH's
/// tie-breaking has something to rank by) and collapsed codes (every item the same code: MAP ≈ the share of relevant
/// pairs, what a collapsed head scores).
/// </summary>
public static class HashBaselines
{
    /// <summary>A D×K Gaussian projection from (seed, D, K): the same for every call with those arguments.</summary>
    public static float[] GaussianProjection(int featureDim, int bits, ulong seed)
    {
        var rng = Rng.For(seed, 0x15B, (ulong)featureDim, (ulong)bits);
        var w = new float[featureDim * bits];
        for (int i = 0; i < w.Length; i++) w[i] = (float)rng.NextGaussian();
        return w;
    }

    /// <summary>The per-feature mean of a set (LSH centres on the database's).</summary>
    public static float[] Mean(FeatureSet data)
    {
        var mean = new double[data.FeatureDim];
        for (int i = 0; i < data.Count; i++)
            for (int d = 0; d < data.FeatureDim; d++) mean[d] += data.Features[(long)i * data.FeatureDim + d];
        return mean.Select(m => (float)(m / data.Count)).ToArray();
    }

    /// <summary>sign(W·(x − centre)) for each row, with tanh of the projection as the continuous outputs.</summary>
    public static EncodedSet Lsh(FeatureSet data, int bits, ulong seed, float[] centre)
    {
        int d = data.FeatureDim;
        if (centre.Length != d) throw new ArgumentException($"centre: expected {d} values, got {centre.Length}");
        var w = GaussianProjection(d, bits, seed);
        var outputs = new float[(long)data.Count * bits];
        var x = new float[d];
        for (int i = 0; i < data.Count; i++)
        {
            for (int j = 0; j < d; j++) x[j] = data.Features[(long)i * d + j] - centre[j];
            for (int k = 0; k < bits; k++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += x[j] * w[j * bits + k];
                outputs[(long)i * bits + k] = (float)Math.Tanh(s / Math.Sqrt(d));
            }
        }
        return new EncodedSet(PackedCodes.FromSigns(outputs, data.Count, bits), outputs);
    }

    /// <summary>
    /// Seeded random ±1 codes, each item's drawn from (seed, set size, position): queries and database draw differently.
    /// </summary>
    public static EncodedSet Random(int count, int bits, ulong seed)
    {
        var outputs = new float[(long)count * bits];
        for (int i = 0; i < count; i++)
        {
            var rng = Rng.For(seed, 0x4A4D, (ulong)count, (ulong)i);
            for (int b = 0; b < bits; b++) outputs[(long)i * bits + b] = rng.NextDouble() < 0.5 ? -1f : 1f;
        }
        return new EncodedSet(PackedCodes.FromSigns(outputs, count, bits), outputs);
    }

    /// <summary>Every item the same code (all +1) and the same outputs.</summary>
    public static EncodedSet Collapsed(int count, int bits)
    {
        var outputs = Enumerable.Repeat(1f, count * bits).ToArray();
        return new EncodedSet(PackedCodes.FromSigns(outputs, count, bits), outputs);
    }
}
