using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Xunit;

namespace Lah.Hashing.Tests.Models;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Configuration decides the ablations: embedding, fusion, tanh, head kind.</summary>
public class LahModelTests
{
    private const int R = 5, D = 16;

    private static LahConfig Small => new()
    {
        LabelCount = R,
        HashBits = 8,
        ImageDim = D,
        WordDim = 7,
        Head = new LahHeadOptions { GcnHidden = 9, ClassifierDim = 11, JointDim = 6, PoolingStride = 6, Dropout = 0 },
    };

    /// <summary><see cref="Small"/> with its head settings changed.</summary>
    private static LahConfig SmallWith(Func<LahHeadOptions, LahHeadOptions> head) => Small with { Head = head(Small.Head) };

    private static IHashHead Create(LahConfig c)
    {
        using var gen = new Lah.Torch.Generator(1);
        var words = Enumerable.Range(0, R * c.WordDim).Select(i => (float)Math.Sin(i)).ToArray();
        return HashHeads.Create(c, words, Enumerable.Repeat(10.0, R).ToArray(), new double[R * R], gen);
    }

    private static Dictionary<string, long[]> Shapes(IHashHead head) =>
        ((Lah.Torch.NN.Module)head).NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Shape);

    [Fact]
    public void WordEmbeddingNoneGivesTheDchBaseline()
    {
        using var head = Create(SmallWith(h => h with { Embedding = WordEmbedding.None }));
        var dch = Assert.IsType<DchModel>(head);
        Assert.Equal(new long[] { 8, D }, Shapes(dch)["hash_layer.weight"]);
        Assert.Single(Shapes(dch).Keys, k => k.EndsWith("weight", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadingAnotherLabelMatrixRebuildsThePropagationMatrix()
    {
        // Same seed, so equal weights; only A differs. After loading b's state (A included) into a, Â must follow.
        var c = SmallWith(h => h with { Dropout = 0 });
        var words = Enumerable.Range(0, R * c.WordDim).Select(i => (float)Math.Sin(i)).ToArray();
        var a1 = Enumerable.Range(0, R * R).Select(i => i % (R + 1) == 0 ? 0.0 : 0.25).ToArray();
        var a2 = Enumerable.Range(0, R * R).Select(i => i % (R + 1) == 0 ? 0.0 : (i % 4) * 0.125).ToArray();
        Torch.ManualSeed(5);
        using var a = new LahModel(c, words, a1);
        Torch.ManualSeed(5);
        using var b = new LahModel(c, words, a2);
        using var scope = Torch.NewScope();
        var f = Torch.Rand([3, D]);
        a.Eval();
        b.Eval();
        var expected = b.Forward(f).ToFloatArray();
        Assert.NotEqual(expected, a.Forward(f).ToFloatArray());
        a.LoadStateDict(b.StateDict());
        Assert.Equal(expected, a.Forward(f).ToFloatArray());
        Assert.Equal(b.LabelEmbeddings().ToFloatArray(), a.LabelEmbeddings().ToFloatArray());
    }

    /// <summary>Every initial weight, the per-label MFB projections included, comes from the generator given.</summary>
    [Theory]
    [InlineData(MfbProjections.Shared)]
    [InlineData(MfbProjections.PerLabel)]
    public void TheGeneratorAloneDecidesTheInitialWeights(MfbProjections projections)
    {
        var c = Small with { Head = Small.Head with { MfbProjections = projections } };
        var words = Enumerable.Range(0, R * c.WordDim).Select(i => (float)Math.Sin(i)).ToArray();
        var a = Enumerable.Range(0, R * R).Select(i => i % (R + 1) == 0 ? 0.0 : 0.25).ToArray();
        Dictionary<string, float[]> Build(long seed)
        {
            using var gen = new Lah.Torch.Generator(seed);
            using var m = new LahModel(c, words, a, gen);
            return m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToFloatArray());
        }

        var first = Build(3);
        using (Torch.NewScope())
            Torch.Rand([100]); // a draw from the global generator in between
        var again = Build(3);
        var other = Build(4);
        Assert.Contains(projections == MfbProjections.PerLabel ? "mfb_U.weight" : "Linear_imgdataproj.weight", first.Keys);
        foreach (var (name, w) in first)
        {
            Assert.Equal(w, again[name]);
            Assert.NotEqual(w, other[name]);
        }
    }

    [Fact]
    public void OneHotFeedsTheIdentityToTheGcn()
    {
        using var head = Create(SmallWith(h => h with { Embedding = WordEmbedding.OneHot }));
        Assert.Equal(new long[] { R, 9 }, Shapes(head)["gc1.weight"]);
    }

    [Fact]
    public void DotProductSizesTheGcnToTheImageAndHashesROutputs()
    {
        using var head = Create(SmallWith(h => h with { Fusion = FusionKind.DotProduct }));
        Assert.Equal(new long[] { 9, D }, Shapes(head)["gc2.weight"]);
        Assert.Equal(new long[] { 8, R }, Shapes(head)["hash_layer.weight"]);
        Assert.Equal(["gcn", "hash"], head.OptimizedGroups().Select(g => g.Name));
    }

    [Fact]
    public void TanhInTrainingOffReturnsTheRawHashLayer()
    {
        using var head = (LahModel)Create(Small with { TanhInTraining = false });
        using var scope = Torch.NewScope();
        var f = Torch.Rand([4, D]);
        head.Train();
        var raw = head.ForwardHead(f).Codes.ToFloatArray();
        head.Eval();
        var eval = head.ForwardHead(f).Codes.ToFloatArray();
        Assert.Equal(raw.Select(MathF.Tanh), eval, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Contains(raw, v => Math.Abs(v) > 0 && MathF.Tanh(v) != v);
    }

    [Fact]
    public void ClassifierScoresFeedMultiLabelSoftMargin()
    {
        using var head = (LahModel)Create(Small);
        using var scope = Torch.NewScope();
        var scores = head.ClassifierScores(Torch.Rand([3, D]));
        Assert.Equal(new long[] { 3, R }, scores.Shape);
        var x = scores.ToFloatArray();
        var y = new float[] { 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1 };
        double expected = Enumerable.Range(0, 3).Average(b => -Enumerable.Range(0, R).Average(r =>
        {
            double v = x[b * R + r];
            return y[b * R + r] * -Math.Log(1 + Math.Exp(-v)) + (1 - y[b * R + r]) * -Math.Log(1 + Math.Exp(v));
        }));
        var loss = new MultiLabelSoftMarginLoss().Compute(scores, Torch.FromArray(y, 3, R)).ItemDouble();
        Assert.Equal(expected, loss, 1e-5);
    }

    [Fact]
    public void ClassifierScoresNeedOneValuePerLabel()
    {
        using var head = (LahModel)Create(SmallWith(h => h with { PoolingStride = 3 }));
        using var scope = Torch.NewScope();
        Assert.Throws<InvalidOperationException>(() => head.ClassifierScores(Torch.Rand([2, D])));
    }

    [Fact]
    public void WrongFeatureSizeNamesTheField()
    {
        using var head = Create(Small);
        using var scope = Torch.NewScope();
        var e = Assert.Throws<ArgumentException>(() => head.ForwardHead(Torch.Rand([2, D + 1])));
        Assert.Contains("ImageDim", e.Message);
    }

    [Fact]
    public void StateDictHasTheOfficialNames()
    {
        using var head = (LahModel)Create(Small);
        Assert.Equal(
            ["gc1.weight", "gc2.weight", "Linear_imgdataproj.weight", "Linear_imgdataproj.bias", "Linear_classifierproj.weight",
             "Linear_classifierproj.bias", "hash_layer.weight", "hash_layer.bias", "A"],
            head.StateDict().Keys.OrderBy(k => k == "A").ToArray());
    }

    [Fact]
    public void PerLabelProjectionsHaveTheirOwnNamesShapesAndGroup()
    {
        var c = SmallWith(h => h with { MfbProjections = MfbProjections.PerLabel, JointDim = 6, PoolingStride = 3 });
        using var head = (LahModel)Create(c);
        var shapes = Shapes(head);
        Assert.Equal(["gc1.weight", "gc2.weight", "mfb_U.weight", "mfb_U.bias", "mfb_V.weight", "mfb_V.bias", "hash_layer.weight",
            "hash_layer.bias"], shapes.Keys);
        Assert.Equal(new long[] { R, 6, D }, shapes["mfb_U.weight"]);
        Assert.Equal(new long[] { R, 6 }, shapes["mfb_U.bias"]);
        Assert.Equal(new long[] { R, 6, 11 }, shapes["mfb_V.weight"]);
        Assert.Equal(new long[] { 8, R * 2 }, shapes["hash_layer.weight"]);
        Assert.Null(head.ImageProjection);
        var fusion = head.OptimizedGroups().Single(g => g.Name == "fusion").Parameters;
        Assert.Equal(4, fusion.Count);
        Assert.Contains(head.PerLabelImageProjection!.Weight, fusion);

        // The head's fusion equals the per-label definition computed from its own weights: label r fuses
        // U_r·x + bu_r with V_r·E_r + bv_r, summed over groups of 3.
        head.Eval();
        using var scope = Torch.NewScope();
        var x = Torch.Rand([2, D]);
        var z = head.Fuse(x).ToFloatArray();
        var e = head.LabelEmbeddings().ToFloatArray();
        var xs = x.ToFloatArray();
        var (u, bu) = (head.PerLabelImageProjection.Weight.ToFloatArray(), head.PerLabelImageProjection.Bias.ToFloatArray());
        var (v, bv) = (head.PerLabelLabelProjection!.Weight.ToFloatArray(), head.PerLabelLabelProjection.Bias.ToFloatArray());
        for (int b = 0; b < 2; b++)
            for (int r = 0; r < R; r++)
                for (int g = 0; g < 2; g++)
                {
                    double expected = 0;
                    for (int j = g * 3; j < g * 3 + 3; j++)
                    {
                        double m1 = bu[r * 6 + j], m2 = bv[r * 6 + j];
                        for (int d = 0; d < D; d++) m1 += u[(r * 6 + j) * D + d] * xs[b * D + d];
                        for (int k = 0; k < 11; k++) m2 += v[(r * 6 + j) * 11 + k] * e[r * 11 + k];
                        expected += m1 * m2;
                    }
                    Assert.Equal(expected, z[b * R * 2 + r * 2 + g], 4);
                }
    }

    [Fact]
    public void PerLabelProjectionsNeedMfb()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            SmallWith(h => h with { MfbProjections = MfbProjections.PerLabel, Fusion = FusionKind.DotProduct }).Validate());
        Assert.Contains("MfbProjections", e.Message);
    }
}
