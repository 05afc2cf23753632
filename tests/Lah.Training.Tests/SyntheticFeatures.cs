using Lah.Training.Inference;

namespace Lah.Training.Tests;

/// <summary>Features that carry label information: the sum of per-label prototypes plus Gaussian noise.</summary>
public static class SyntheticFeatures
{
    public static float[] Prototypes(int labels, int dim, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, labels * dim).Select(_ => (float)Gaussian(rng)).ToArray();
    }

    public static FeatureSet Make(float[] prototypes, int labels, int dim, int count, double noise, int seed)
    {
        var rng = new Random(seed);
        var f = new float[count * dim];
        var y = new float[count * labels];
        for (int n = 0; n < count; n++)
        {
            // One to three labels per item, like VOC/COCO's sparse multi-hot targets.
            int m = 1 + rng.Next(3);
            for (int t = 0; t < m; t++) y[n * labels + rng.Next(labels)] = 1;
            for (int d = 0; d < dim; d++)
            {
                double v = noise * Gaussian(rng);
                for (int r = 0; r < labels; r++) v += y[n * labels + r] * prototypes[r * dim + d];
                f[n * dim + d] = (float)Math.Max(0, v); // pooled ReLU features are non-negative
            }
        }
        return new FeatureSet(f, y, count, dim, labels);
    }

    /// <summary>
    /// Features for given multi-hot label rows (<paramref name="labels"/>, count×R, 0/1): the sum of the prototypes of
    /// each row's labels plus Gaussian noise, through a ReLU — real label statistics, class-dependent features.
    /// </summary>
    public static FeatureSet FromLabels(float[] prototypes, float[] labels, int labelCount, int dim, double noise, int seed)
    {
        int count = labels.Length / labelCount;
        var rng = new Random(seed);
        var f = new float[count * dim];
        for (int n = 0; n < count; n++)
            for (int d = 0; d < dim; d++)
            {
                double v = noise * Gaussian(rng);
                for (int r = 0; r < labelCount; r++) v += labels[n * labelCount + r] * prototypes[r * dim + d];
                f[n * dim + d] = (float)Math.Max(0, v);
            }
        return new FeatureSet(f, labels, count, dim, labelCount);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
