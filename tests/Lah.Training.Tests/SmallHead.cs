using Lah.Hashing.Config;
using Lah.Hashing.Models;
using Lah.Training.Inference;

namespace Lah.Training.Tests;

/// <summary>A small LAH head (R = 6 labels, D = 32 features, K = 12 bits) and class-structured features for it.</summary>
public static class SmallHead
{
    public const int R = 6, D = 32, K = 12;

    public static LahConfig Config(ParameterTraining training = ParameterTraining.Trained, double dropout = 0, int jointDim = 20, int stride = 10) => new()
    {
        LabelCount = R,
        HashBits = K,
        ImageDim = D,
        WordDim = 10,
        ParameterTraining = training,
        Head = new LahHeadOptions
        {
            Embedding = WordEmbedding.Glove,
            GcnHidden = 16,
            ClassifierDim = 24,
            JointDim = jointDim,
            PoolingStride = stride,
            Dropout = dropout,
        },
    };

    /// <summary>
    /// Weights from <paramref name="seed"/>'s own generator (the model does not keep it), fixed random word vectors (data,
    /// like GloVe's: not in the state dict, so not a checkpoint's to restore), two label edges.
    /// </summary>
    public static LahModel Build(LahConfig config, int seed)
    {
        using var gen = new Lah.Torch.Generator(seed);
        var rng = new Random(42);
        var words = Enumerable.Range(0, R * config.WordDim).Select(_ => (float)rng.NextDouble()).ToArray();
        double[] nums = [10, 8, 6, 9, 7, 5];
        var cooc = new double[R * R];
        cooc[0 * R + 1] = cooc[1 * R + 0] = 5;
        cooc[2 * R + 3] = cooc[3 * R + 2] = 4;
        return LahModel.FromCooccurrence(config, words, nums, cooc, gen);
    }

    public static LahModel Build(int seed, double dropout = 0) => Build(Config(dropout: dropout), seed);

    public static FeatureSet Features(int count, int seed) =>
        SyntheticFeatures.Make(SyntheticFeatures.Prototypes(R, D, 42), R, D, count, noise: 0.3, seed);
}
