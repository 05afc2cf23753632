using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Training.Batches;
using Lah.Vision;
using Lah.Vision.Models;

namespace Lah.Training.Tests;

/// <summary>
/// `fashion-mosaic` warped to 32×32 with a DCH split, and a small CNN + LAH head (one-hot label inputs, MFB) sized for
/// seconds-long CPU runs. Also compiled into tests/Lah.Distributed.Worker (the data-parallel ranks).
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

    public static LahConfig HeadConfig(int bits, int imageDim, double dropout = 0.1) => new()
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
            Dropout = dropout,
        },
    };

    /// <summary>
    /// A seeded small CNN (16-32-64, max pooling) and LAH head (or DCH's linear head) as one network; <paramref name="wrap"/>
    /// may wrap the head (e.g. in a <see cref="CenterHashHead"/> that carries its loss's centers).
    /// </summary>
    public HashingNetwork Network(long seed, int bits = 32, bool dch = false, Func<IHashHead, IHashHead>? wrap = null, double dropout = 0.1)
    {
        // Initial weights only (the networks do not keep it): runs compared must not depend on other tests' draws.
        using var gen = new Lah.Torch.Generator(seed);
        var backbone = new SmallCnn(new SmallCnnConfig { Widths = [16, 32, 64], Pooling = GlobalPooling.Max }, gen);
        var cfg = HeadConfig(bits, backbone.NumFeatures, dropout);
        var head = HashHeads.Create(dch ? cfg with { Head = cfg.Head with { Embedding = WordEmbedding.None, Fusion = FusionKind.None } } : cfg, null, Nums, Cooccurrence, gen);
        return new HashingNetwork(backbone, wrap is null ? head : wrap(head));
    }

    /// <summary>A seeded small CNN with a classifier over the 10 labels (average pooling), for pre-training.</summary>
    public static SmallCnn Classifier(long seed, int classes = 10)
    {
        using var gen = new Lah.Torch.Generator(seed);
        return new SmallCnn(new SmallCnnConfig { Widths = [16, 32, 64], NumClasses = classes, Pooling = GlobalPooling.Average }, gen);
    }

    /// <summary>The training split's images in (seed, epoch)-shuffled batches; rank r of W takes its slice of each.</summary>
    public ImageBatches Batches(int batchSize, ulong seed = 3, int workers = 0, int rank = 0, int worldSize = 1, IReadOnlyList<int>? items = null) =>
        new(new DataLoader(Dataset, items ?? Split.Train, Transform, batchSize, shuffle: true, seed, workers, rank: rank, worldSize: worldSize));

    public static CauchyHashLoss Loss() => new(new HashLossConfig());
}
