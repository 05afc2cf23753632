using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Training.EndToEnd;
using Lah.Vision.Models;

namespace Lah.Vision.Tests;

/// <summary>
/// `fashion-mosaic` warped to 32×32 with a DCH split, and a small CNN + LAH head (one-hot label inputs, MFB) sized for
/// seconds-long CPU runs.
/// </summary>
public sealed class MosaicSetup
{
    public IMultiLabelDataset Dataset { get; }
    public RetrievalSplit Split { get; }
    public ImageTransform Transform { get; } = ImageTransform.Warp(32, scaledDecode: false);
    public double[] Nums { get; }
    public double[] Cooccurrence { get; }

    public MosaicSetup(int count = 1200, int queries = 150, int train = 900, ulong seed = 11)
    {
        Dataset = EmbeddedDatasets.Create("fashion-mosaic", count, seed);
        Split = Splits.Dch(count, queries, train, seed);
        var cooc = LabelCooccurrence.FromTraining(Dataset, Split);
        int r = cooc.Nums.Length;
        Nums = cooc.Nums.Select(x => (double)x).ToArray();
        Cooccurrence = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++) Cooccurrence[i * r + j] = cooc.Adj[i, j];
    }

    public static LahConfig HeadConfig(int bits, int imageDim) => new()
    {
        LabelCount = 10,
        HashBits = bits,
        ImageDim = imageDim,
        Head = new LahHeadOptions
        {
            Embedding = WordEmbedding.OneHot,
            GcnHidden = 64,
            ClassifierDim = 64,
            JointDim = 64,
            PoolingStride = 8,
            Dropout = 0.1,
        },
    };

    /// <summary>A seeded small CNN (16-32-64, max pooling) and LAH head as one network.</summary>
    public HashingNetwork Network(long seed, int bits = 32, bool dch = false)
    {
        // Initial weights only (the networks do not keep it): runs compared must not depend on parallel tests' draws.
        using var gen = new Lah.Torch.Generator(seed);
        var backbone = new SmallCnn(new SmallCnnConfig { Widths = [16, 32, 64], Pooling = GlobalPooling.Max }, gen);
        var cfg = HeadConfig(bits, backbone.NumFeatures);
        var head = HashHeads.Create(dch ? cfg with { Head = cfg.Head with { Embedding = WordEmbedding.None, Fusion = FusionKind.None } } : cfg, null, Nums, Cooccurrence, gen);
        return new HashingNetwork(backbone, head);
    }

    public static CauchyHashLoss Loss() => new(new HashLossConfig());
}
