namespace Lah.Data;

/// <summary>
/// Label sets from a latent-topic model: each image draws a topic and a size (1 + Binomial(16, (mean − 1)/16),
/// close to a Poisson but with only exact arithmetic, capped),
/// then that many distinct labels with the topic's weights. Topics are a seeded mix of a global popularity
/// (Zipf-like, so one label can dominate as `person` does) and a topic-specific preference, so labels co-occur
/// in structured, asymmetric ways.
/// </summary>
public sealed class TopicLabelModel
{
    private readonly double[][] _topicWeights;

    public TopicLabelModel(int labelCount, double meanLabels, ulong seed, int topics = 8)
    {
        if (meanLabels < 1) throw new ArgumentOutOfRangeException(nameof(meanLabels), $"mean {meanLabels} must be ≥ 1");
        LabelCount = labelCount;
        MeanLabels = meanLabels;
        var rng = Rng.For(seed, 0x70C);
        var popularity = rng.Permutation(labelCount).Select(rank => 1.0 / (rank + 1)).ToArray();
        _topicWeights = new double[topics][];
        for (var t = 0; t < topics; t++)
        {
            var w = new double[labelCount];
            for (var c = 0; c < labelCount; c++)
            {
                // A heavy-tailed topic preference from exact arithmetic only (u⁴ spans four orders of magnitude).
                var u = rng.NextDouble();
                w[c] = popularity[c] * (0.002 + u * u * u * u);
            }
            _topicWeights[t] = w;
        }
    }

    public int LabelCount { get; }
    public double MeanLabels { get; }

    public int[] Sample(Rng rng)
    {
        var w = (double[])_topicWeights[rng.NextInt(_topicWeights.Length)].Clone();
        var n = Math.Min(LabelCount, 1 + Binomial(rng, 16, (MeanLabels - 1) / 16));
        var chosen = new int[n];
        for (var k = 0; k < n; k++)
        {
            var total = w.Sum();
            var u = rng.NextDouble() * total;
            var c = 0;
            while (c < w.Length - 1 && (u >= w[c] || w[c] == 0))
            {
                u -= w[c];
                c++;
            }
            chosen[k] = c;
            w[c] = 0;
        }
        Array.Sort(chosen);
        return chosen;
    }

    private static int Binomial(Rng rng, int trials, double p)
    {
        var k = 0;
        for (var i = 0; i < trials; i++) if (rng.NextDouble() < p) k++;
        return k;
    }
}
