using System.Reflection;
using System.Runtime.Serialization;
using Lah.Hashing.Config;
using Lah.Hashing.Graph;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Tests;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Hashing.Tests.Config;

public class LahConfigTests
{
    private static readonly Dictionary<string, string> EverySetting = new()
    {
        ["R"] = "20",
        ["K"] = "48",
        ["threshold_p"] = "0.2",
        ["threshold_tau"] = "0.4",
        ["use_mfb"] = "False",
        ["sij"] = "original",
        ["normed"] = "False",
        ["gamma"] = "0.15",
        ["lambda"] = "0.55",
        ["image_dim"] = "128",
        ["classifier_dim"] = "96",
        ["gcn_hidden"] = "64",
        ["word_dim"] = "50",
        ["linear_intermediate"] = "60",
        ["pooling_stride"] = "20",
        ["dropout"] = "0.0",
        ["leaky_relu_slope"] = "0.2",
    };

    [Fact]
    public void OfficialSettingsMapToEveryField()
    {
        var c = LahConfig.FromOfficialSettings(EverySetting);
        var loss = HashLossConfig.FromOfficialSettings(EverySetting);
        Assert.Equal((20, 48, 0.2, 0.4, FusionKind.DotProduct), (c.LabelCount, c.HashBits, c.Head.P, c.Head.Tau, c.Head.Fusion));
        Assert.Equal((SimilarityKind.Original, DistanceKind.Euclidean, 0.15, 0.55),
            (loss.Similarity, loss.Distance, loss.Gamma, loss.Lambda));
        Assert.Equal((128, 96, 64, 50, 60, 20, 0.0), (c.ImageDim, c.Head.ClassifierDim, c.Head.GcnHidden, c.WordDim,
            c.Head.JointDim, c.Head.PoolingStride, c.Head.Dropout));
        // The dot product needs E in the image space and keeps one value per label.
        Assert.Equal((128, 20), (c.GcnOutputDim, c.FusedDim));
        c.Validate();
        loss.Validate();
    }

    public static IEnumerable<object[]> Cases() => TestPaths.GoldenCases("lah_");

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenMetadataGivesTheParameterShapes(string file)
    {
        using var g = SafeTensorsFile.Open(TestPaths.Golden(file));
        var c = LahConfig.FromOfficialSettings(g.Metadata);
        c.Validate();
        Assert.Equal(new long[] { c.GcnInputDim, c.Head.GcnHidden }, g["param.gc1.weight"].Shape);
        Assert.Equal(new long[] { c.Head.GcnHidden, c.GcnOutputDim }, g["param.gc2.weight"].Shape);
        Assert.Equal(new long[] { c.HashBits, c.FusedDim }, g["param.hash_layer.weight"].Shape);
        Assert.Equal(new long[] { c.Head.JointDim, c.ImageDim }, g["param.Linear_imgdataproj.weight"].Shape);
    }

    [Fact]
    public void BadValuesNameTheField()
    {
        Assert.Contains("PoolingStride", Assert.Throws<ArgumentException>(
            () => new LahConfig { Head = new LahHeadOptions { JointDim = 10, PoolingStride = 3 } }.Validate()).Message);
        Assert.Contains("'use_mfb'", Assert.Throws<FormatException>(
            () => LahConfig.FromOfficialSettings(new Dictionary<string, string> { ["use_mfb"] = "maybe" })).Message);
        Assert.Contains("'normed'", Assert.Throws<FormatException>(
            () => HashLossConfig.FromOfficialSettings(new Dictionary<string, string> { ["normed"] = "maybe" })).Message);
        Assert.Contains("Lambda", Assert.Throws<ArgumentException>(
            () => new HashLossConfig { Combination = LossCombination.Paper, Lambda = 2 }.Validate()).Message);
        Assert.Contains("HashBits", Assert.Throws<ArgumentException>(() => new LahConfig { HashBits = 0 }.Validate()).Message);
    }

    [Fact]
    public void NoFusionWithAnEmbeddingIsRefusedNamingTheField()
    {
        foreach (var embedding in new[] { WordEmbedding.Glove, WordEmbedding.GoogleNews, WordEmbedding.FastText, WordEmbedding.OneHot })
        {
            var c = new LahConfig { Head = new LahHeadOptions { Embedding = embedding, Fusion = FusionKind.None } };
            var e = Assert.Throws<ArgumentException>(c.Validate);
            Assert.Contains("LahHeadOptions.Fusion", e.Message);
            Assert.Contains("no-embedding", e.Message);
        }
        // Without an embedding it is the DCH head: the image feature alone goes to the hash layer.
        var dch = new LahConfig
        {
            ImageDim = 6,
            HashBits = 4,
            LabelCount = 3,
            Head = new LahHeadOptions { Embedding = WordEmbedding.None, Fusion = FusionKind.None },
        };
        dch.Validate();
        Assert.Equal(6, dch.FusedDim);
        using var head = HashHeads.Create(dch, null, new double[3], new double[9]);
        Assert.IsType<DchModel>(head);
    }

    [Fact]
    public void HeadDefaultsAreTheOfficialDemos()
    {
        var h = new LahHeadOptions();
        Assert.Equal((WordEmbedding.Glove, FusionKind.Mfb, LabelGraphVariant.Official, AdjacencyNormalization.Transposed, MfbProjections.Shared),
            (h.Embedding, h.Fusion, h.Graph, h.Propagation, h.MfbProjections));
        Assert.Equal((0.4, 0.15, 358, 358, 0.1, 1024, 2048), (h.Tau, h.P, h.JointDim, h.PoolingStride, h.Dropout, h.GcnHidden, h.ClassifierDim));
        var l = new HashLossConfig();
        Assert.Equal((1.0, 2.0, SimilarityKind.Iou, DistanceKind.NormalizedCosine, QuantizationKind.Squared),
            (l.Gamma, l.Lambda, l.Similarity, l.Distance, l.Quantization));
        Assert.Equal((LossCombination.Official, PairWeighting.Official, LossReduction.Mean), (l.Combination, l.PairWeighting, l.Reduction));
    }

    // Experiment records hash these records by reflection, in declaration order: the order is part of every content hash.
    public static IEnumerable<object[]> PropertyOrders() =>
    [
        [typeof(LahHeadOptions), new[] { "Embedding", "Fusion", "Graph", "Propagation", "MfbProjections", "Tau", "P", "JointDim",
            "PoolingStride", "Dropout", "GcnHidden", "ClassifierDim" }],
        [typeof(HashLossConfig), new[] { "Gamma", "Lambda", "Similarity", "Distance", "Quantization", "Combination", "PairWeighting", "Reduction" }],
        [typeof(HybridLossOptions), new[] { "Alpha", "Beta", "Lambda", "Margin", "Negatives", "CentersSeed" }],
        [typeof(HashNetOptions), new[] { "InitialBeta", "Gamma", "Power", "Scale", "Lambda" }],
    ];

    [Theory]
    [MemberData(nameof(PropertyOrders))]
    public void SettingsRecordsDeclareTheirPropertiesInTheRecordsOrder(Type type, string[] expected) =>
        Assert.Equal(expected, type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => p.Name));

    public static IEnumerable<object[]> Spellings() =>
    [
        [typeof(WordEmbedding), new[] { "glove", "google-news", "fast-text", "one-hot", "no-embedding" }],
        [typeof(FusionKind), new[] { "mfb", "dot-product", "no-fusion" }],
        [typeof(LabelGraphVariant), new[] { "official-graph", "paper-graph" }],
        [typeof(AdjacencyNormalization), new[] { "transposed-propagation", "symmetric-propagation", "paper-propagation" }],
        [typeof(MfbProjections), new[] { "shared-projections", "per-label-projections" }],
        [typeof(SimilarityKind), new[] { "iou", "any-shared" }],
        [typeof(DistanceKind), new[] { "normed", "euclidean" }],
        [typeof(QuantizationKind), new[] { "squared", "cauchy-quantization" }],
        [typeof(LossCombination), new[] { "official-combination", "paper-combination" }],
        [typeof(PairWeighting), new[] { "official-weights", "paper-weights" }],
        [typeof(LossReduction), new[] { "mean-reduction", "sum-reduction" }],
        [typeof(NegativeMining), new[] { "hardest", "all-negatives" }],
        [typeof(ParameterTraining), new[] { "trained", "official-frozen" }],
    ];

    /// <summary>Every member carries the spelling experiment records write (YAML and content hash), in member order.</summary>
    [Theory]
    [MemberData(nameof(Spellings))]
    public void EveryMemberCarriesItsRecordSpelling(Type type, string[] expected) =>
        Assert.Equal(expected, type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value));
}
