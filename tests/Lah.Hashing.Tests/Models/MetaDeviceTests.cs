using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.NN;
using Lah.Torch.Optim;
using Xunit;

namespace Lah.Hashing.Tests.Models;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Heads and losses on libtorch's meta device: every tensor they create must follow the input's device (a CPU
/// constant among CUDA codes fails the same way as among meta codes), so these run in the ordinary CPU test run in
/// place of GPU tests. Meta has no values: nothing here reads one (see Lah.Torch's MetaDeviceTests for what meta
/// cannot run: masked_select, nonzero and value reads).
/// </summary>
public class MetaDeviceTests
{
    private const int B = 4, R = 5, D = 16, K = 8;

    private static LahConfig Config(FusionKind fusion) => new()
    {
        LabelCount = R,
        HashBits = K,
        ImageDim = D,
        WordDim = 7,
        Head = new LahHeadOptions
        {
            GcnHidden = 9,
            ClassifierDim = 12,
            JointDim = 12,
            PoolingStride = fusion == FusionKind.Mfb ? 4 : 12,
            Fusion = fusion,
            Dropout = 0.5,
        },
    };

    private static LahConfig WithHead(LahConfig c, Func<LahHeadOptions, LahHeadOptions> head) => c with { Head = head(c.Head) };

    private static IHashHead Head(LahConfig c)
    {
        Torch.ManualSeed(3);
        var words = Enumerable.Range(0, R * c.WordDim).Select(i => (float)Math.Cos(i)).ToArray();
        var a = Enumerable.Range(0, R * R).Select(i => i % (R + 1) == 0 ? 0.0 : 0.1 * (i % 3)).ToArray();
        return HashHeads.Create(c, words, Enumerable.Repeat(10.0, R).ToArray(), a);
    }

    private static Tensor MetaLabels() => Torch.Rand([B, R], device: Device.Meta).Gt(0.5).To(DType.Float32);

    public static IEnumerable<object[]> Heads() =>
        new[] { "mfb", "mfb-per-label", "dot", "dch" }.Select(h => new object[] { h });

    private static LahConfig HeadConfig(string kind) => kind switch
    {
        "mfb" => Config(FusionKind.Mfb),
        "mfb-per-label" => WithHead(Config(FusionKind.Mfb),
            h => h with { MfbProjections = MfbProjections.PerLabel, Propagation = Lah.Hashing.Graph.AdjacencyNormalization.Paper }),
        "dot" => Config(FusionKind.DotProduct),
        _ => WithHead(Config(FusionKind.Mfb), h => h with { Embedding = WordEmbedding.None }),
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Heads_train_forward_and_backward_on_meta(string kind)
    {
        var head = Head(HeadConfig(kind));
        using var module = (Module)head;
        Assert.Equal(kind == "dch" ? typeof(DchModel) : typeof(LahModel), head.GetType());
        module.To(Device.Meta);
        Assert.All(module.StateDict().Values, t => Assert.Equal(Device.Meta, t.Device));
        module.Train();
        using var scope = Torch.NewScope();
        var output = head.ForwardHead(Torch.Randn([B, D], device: Device.Meta));
        Assert.Equal(new long[] { B, K }, output.Codes.Shape);
        Assert.Equal(Device.Meta, output.Codes.Device);
        var terms = new CauchyHashLoss(new HashLossConfig()).Compute(output.Codes, MetaLabels());
        Assert.Empty(terms.Total.Shape);
        Assert.Equal(Device.Meta, terms.Total.Device);
        terms.Total.Backward();
        Assert.All(head.OptimizedGroups().SelectMany(g => g.Parameters), p =>
        {
            using var g = p.Grad;
            Assert.NotNull(g);
            Assert.Equal(Device.Meta, g!.Device);
        });
        module.Eval();
        var codes = head.Encode(Torch.Randn([B, D], device: Device.Meta));
        Assert.Equal(new long[] { B, K }, codes.Shape);
        Assert.Equal(Device.Meta, codes.Device);
    }

    public static IEnumerable<object[]> LossVariants() =>
        from s in new[] { SimilarityKind.Iou, SimilarityKind.Original }
        from d in new[] { DistanceKind.NormalizedCosine, DistanceKind.Euclidean }
        from q in new[] { QuantizationKind.Squared, QuantizationKind.Cauchy }
        from m in new[] { LossCombination.Official, LossCombination.Paper }
        from w in new[] { PairWeighting.Official, PairWeighting.Paper }
        select new object[] { s, d, q, m, w };

    [Theory]
    [MemberData(nameof(LossVariants))]
    public void Every_cauchy_loss_variant_runs_on_the_codes_device(SimilarityKind s, DistanceKind d, QuantizationKind q, LossCombination m, PairWeighting w)
    {
        var loss = new CauchyHashLoss(new HashLossConfig
        {
            Similarity = s,
            Distance = d,
            Quantization = q,
            Combination = m,
            Lambda = m == LossCombination.Paper ? 0.5 : 2,
            PairWeighting = w,
            Reduction = w == PairWeighting.Paper ? LossReduction.Sum : LossReduction.Mean,
        });
        using var scope = Torch.NewScope();
        var u = Torch.Randn([B, K], device: Device.Meta).RequiresGrad_();
        var terms = loss.Compute(u.Tanh(), MetaLabels());
        foreach (var t in new[] { terms.Total, terms.Cauchy, terms.Quantization })
        {
            Assert.Empty(t.Shape);
            Assert.Equal(Device.Meta, t.Device);
        }
        terms.Total.Backward();
        using var g = u.Grad!;
        Assert.Equal(new long[] { B, K }, g.Shape);
        Assert.Equal(Device.Meta, g.Device);
    }

    [Fact]
    public void The_classification_loss_runs_on_meta()
    {
        using var head = (LahModel)Head(Config(FusionKind.DotProduct));
        head.To(Device.Meta);
        using var scope = Torch.NewScope();
        var scores = head.ClassifierScores(Torch.Randn([B, D], device: Device.Meta));
        Assert.Equal(new long[] { B, R }, scores.Shape);
        var loss = new MultiLabelSoftMarginLoss().Compute(scores, MetaLabels());
        Assert.Empty(loss.Shape);
        Assert.Equal(Device.Meta, loss.Device);
        loss.Backward();
        using var g = head.Gc1.Weight.Grad!;
        Assert.Equal(Device.Meta, g.Device);
    }

    [Fact]
    public void A_head_step_with_sgd_stays_on_meta()
    {
        var head = Head(Config(FusionKind.Mfb));
        using var module = (Module)head;
        module.To(Device.Meta);
        using var opt = new SGD(head.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, name: g.Name)), 0.1, momentum: 0.9, weightDecay: 1e-4);
        using var scope = Torch.NewScope();
        opt.ZeroGrad();
        new CauchyHashLoss(new HashLossConfig()).Compute(head.ForwardHead(Torch.Randn([B, D], device: Device.Meta)).Codes, MetaLabels()).Total.Backward();
        opt.Step();
        Assert.All(module.Parameters(), p => Assert.Equal(Device.Meta, p.Device));
    }

    [Fact]
    public void Codes_and_labels_on_different_devices_fail_naming_both()
    {
        using var scope = Torch.NewScope();
        var e = Assert.Throws<LahNativeException>(() =>
            new CauchyHashLoss(new HashLossConfig()).Compute(Torch.Randn([B, K], device: Device.Meta), Torch.Ones([B, R])));
        Assert.Contains("meta", e.Message);
        Assert.Contains("cpu", e.Message);
    }
}
