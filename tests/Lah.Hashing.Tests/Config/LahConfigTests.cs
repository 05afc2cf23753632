using Lah.Hashing.Config;
using Lah.Tests;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Hashing.Tests.Config;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public class LahConfigTests
{
    [Fact]
    public void OfficialSettingsMapToEveryField()
    {
        var c = LahConfig.FromOfficialSettings(new Dictionary<string, string>
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
        });
        Assert.Equal((20, 48, 0.2, 0.4, FusionKind.DotProduct), (c.LabelCount, c.HashBits, c.P, c.Tau, c.Fusion));
        Assert.Equal((SimilarityKind.Original, DistanceKind.Euclidean, 0.15, 0.55),
            (c.Loss.Similarity, c.Loss.Distance, c.Loss.Gamma, c.Loss.Lambda));
        Assert.Equal((128, 96, 64, 50, 60, 20, 0.0), (c.ImageDim, c.ClassifierDim, c.GcnHidden, c.WordDim, c.JointDim,
            c.PoolingStride, c.Dropout));
        // The dot product needs E in the image space and keeps one value per label.
        Assert.Equal((128, 20), (c.GcnOutputDim, c.FusedDim));
        c.Validate();
    }

    public static IEnumerable<object[]> Cases() => TestPaths.GoldenCases("lah_");

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenMetadataGivesTheParameterShapes(string file)
    {
        using var g = SafeTensorsFile.Open(TestPaths.Golden(file));
        var c = LahConfig.FromOfficialSettings(g.Metadata);
        c.Validate();
        Assert.Equal(new long[] { c.GcnInputDim, c.GcnHidden }, g["param.gc1.weight"].Shape);
        Assert.Equal(new long[] { c.GcnHidden, c.GcnOutputDim }, g["param.gc2.weight"].Shape);
        Assert.Equal(new long[] { c.HashBits, c.FusedDim }, g["param.hash_layer.weight"].Shape);
        Assert.Equal(new long[] { c.JointDim, c.ImageDim }, g["param.Linear_imgdataproj.weight"].Shape);
    }

    [Fact]
    public void BadValuesNameTheField()
    {
        Assert.Contains("PoolingStride", Assert.Throws<ArgumentException>(
            () => new LahConfig { JointDim = 10, PoolingStride = 3 }.Validate()).Message);
        Assert.Contains("'use_mfb'", Assert.Throws<FormatException>(
            () => LahConfig.FromOfficialSettings(new Dictionary<string, string> { ["use_mfb"] = "maybe" })).Message);
        Assert.Contains("Lambda", Assert.Throws<ArgumentException>(
            () => new LahConfig { Loss = new HashLossConfig { Combination = LossCombination.Paper, Lambda = 2 } }.Validate()).Message);
    }

    [Fact]
    public void AblationNamesParseAndRejectUnknownSpellings()
    {
        Assert.Equal(ParameterTraining.OfficialFrozen, ConfigNames.ParseParameterTraining("official-frozen"));
        Assert.Equal(WordEmbedding.OneHot, ConfigNames.ParseWordEmbedding("one-hot"));
        Assert.Equal(FusionKind.DotProduct, ConfigNames.ParseFusion("DP"));
        Assert.Equal(QuantizationKind.Cauchy, ConfigNames.ParseQuantization("cauchy"));
        Assert.Equal(Lah.Hashing.Graph.AdjacencyNormalization.Paper, ConfigNames.ParseAdjacency("paper"));
        Assert.Equal(PairWeighting.Paper, ConfigNames.ParsePairWeighting("paper"));
        Assert.Equal(LossReduction.Sum, ConfigNames.ParseReduction("sum"));
        Assert.Equal(MfbProjections.PerLabel, ConfigNames.ParseMfbProjections("per-label"));
        Assert.Contains("shared", Assert.Throws<FormatException>(() => ConfigNames.ParseMfbProjections("perlabel")).Message);
        var e = Assert.Throws<FormatException>(() => ConfigNames.ParseWordEmbedding("word2vec"));
        Assert.Contains("word-embedding", e.Message);
        Assert.Contains("glove", e.Message);
    }
}
