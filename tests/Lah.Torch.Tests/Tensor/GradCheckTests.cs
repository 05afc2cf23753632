using Xunit;

namespace Lah.Torch.Tests.Tensors;

/// <summary>Every differentiable op the binding exposes, checked against finite differences on seeded random inputs.</summary>
public class GradCheckTests
{
    private delegate double[] Gen(Random rng, long n);

    private static readonly Gen Any = GradCheck.AwayFromZero;
    private static readonly Gen Pos = GradCheck.Positive;

    private static (Gen, long[]) In(Gen g, params long[] shape) => (g, shape);

    private static readonly Dictionary<string, (Func<Tensor[], Tensor> F, (Gen Gen, long[] Shape)[] Inputs)> Cases = new()
    {
        ["add"] = (x => x[0].Add(x[1], 0.5), [In(Any, 2, 3), In(Any, 3)]),
        ["sub"] = (x => x[0] - x[1], [In(Any, 2, 3), In(Any, 2, 3)]),
        ["mul"] = (x => x[0] * x[1], [In(Any, 2, 3), In(Any, 2, 1)]),
        ["div"] = (x => x[0] / x[1], [In(Any, 2, 3), In(Pos, 2, 3)]),
        ["scalar-ops"] = (x => (2.0 - x[0]) * 3.0 / 1.5 + 1.0 / x[0], [In(Pos, 4)]),
        ["neg"] = (x => -x[0], [In(Any, 3)]),
        ["exp"] = (x => x[0].Exp(), [In(Any, 2, 2)]),
        ["log"] = (x => x[0].Log(), [In(Pos, 5)]),
        ["log1p"] = (x => x[0].Log1p(), [In(Pos, 5)]),
        ["sqrt"] = (x => x[0].Sqrt(), [In(Pos, 5)]),
        ["rsqrt"] = (x => x[0].Rsqrt(), [In(Pos, 5)]),
        ["square"] = (x => x[0].Square(), [In(Any, 5)]),
        ["pow-scalar"] = (x => x[0].Pow(2.5), [In(Pos, 5)]),
        ["pow-tensor"] = (x => x[0].Pow(x[1]), [In(Pos, 4), In(Any, 4)]),
        ["abs"] = (x => x[0].Abs(), [In(Any, 6)]),
        ["clamp"] = (x => x[0].Clamp(-0.8, 0.9), [In(Any, 8)]),
        ["maximum-minimum"] = (x => x[0].Maximum(x[1]) + x[0].Minimum(x[1]) * 2.0, [In(Any, 6), In(Any, 6)]),
        ["relu"] = (x => x[0].Relu(), [In(Any, 6)]),
        ["leaky-relu"] = (x => x[0].LeakyRelu(0.2), [In(Any, 6)]),
        ["tanh"] = (x => x[0].Tanh(), [In(Any, 6)]),
        ["sigmoid"] = (x => x[0].Sigmoid(), [In(Any, 6)]),
        ["softplus"] = (x => x[0].Softplus(), [In(Any, 6)]),
        ["log-sigmoid"] = (x => x[0].LogSigmoid(), [In(Any, 6)]),
        ["log-softmax"] = (x => x[0].LogSoftmax(1), [In(Any, 2, 4)]),
        ["softmax"] = (x => x[0].Softmax(0), [In(Any, 3, 2)]),
        ["sum-all"] = (x => x[0].Sum(), [In(Any, 2, 3)]),
        ["sum-dims"] = (x => x[0].Sum([0, 2], keepDim: true), [In(Any, 2, 3, 2)]),
        ["mean"] = (x => x[0].Mean(1), [In(Any, 2, 3)]),
        ["amax-amin"] = (x => x[0].Amax([1]) + x[0].Amin([0]).Sum(), [In(Any, 3, 4)]),
        ["max-dim"] = (x => x[0].Max(1).Values, [In(Any, 3, 4)]),
        ["logsumexp"] = (x => x[0].LogSumExp([1]), [In(Any, 3, 4)]),
        ["norm"] = (x => x[0].Norm() + x[0].Norm(1, [1]).Sum(), [In(Any, 3, 4)]),
        ["matmul"] = (x => x[0].MatMul(x[1]), [In(Any, 2, 3), In(Any, 3, 4)]),
        ["bmm"] = (x => x[0].Bmm(x[1]), [In(Any, 2, 2, 3), In(Any, 2, 3, 2)]),
        ["outer"] = (x => x[0].Outer(x[1]), [In(Any, 3), In(Any, 2)]),
        ["addmm"] = (x => Torch.Addmm(x[0], x[1], x[2], 0.5, 2.0), [In(Any, 2, 2), In(Any, 2, 3), In(Any, 3, 2)]),
        ["view-permute-transpose"] = (x => x[0].View(2, 6).Reshape(3, 4).Permute(1, 0).Transpose(0, 1).T().Contiguous(), [In(Any, 12)]),
        ["slice-narrow"] = (x => x[0].Slice(1, 1, 4, 2) * 2.0 + x[0].Narrow(0, 1, 1).Sum(), [In(Any, 3, 5)]),
        ["index-select-gather"] = (x => x[0].IndexSelect(0, Torch.FromArray(new long[] { 2, 0, 2 })).Sum() + x[0].Gather(1, Torch.FromArray(new long[] { 0, 1, 1, 0, 2, 2 }, 3, 2)).Sum(), [In(Any, 3, 3)]),
        ["masked"] = (x => x[0].MaskedSelect(x[0].Gt(0)).Sum() + x[0].MaskedFill(x[0].Lt(0), 0.5), [In(Any, 4, 2)]),
        ["cat-stack"] = (x => Torch.Cat([x[0], x[1]], 1).Sum(0).Sum() + Torch.Cat([x[0], x[1]], 0).Sum(0) + Torch.Stack([x[0], x[1]], 0).Sum([0, 1]), [In(Any, 2, 3), In(Any, 2, 3)]),
        ["diag-tril"] = (x => x[0].Diag() + x[0].Tril().Sum(1) + x[0].Triu(1).Sum(0), [In(Any, 3, 3)]),
        ["expand-unsqueeze-squeeze-flatten"] = (x => x[0].Unsqueeze(0).Expand(2, 3).Flatten() + x[0].Unsqueeze(1).Squeeze(1).Sum(), [In(Any, 3)]),
        ["where"] = (x => Torch.Where(x[2].Gt(0), x[0], x[1]), [In(Any, 5), In(Any, 5), In(Any, 5)]),
        ["linear"] = (x => F.Linear(x[0], x[1], x[2]), [In(Any, 2, 3), In(Any, 4, 3), In(Any, 4)]),
        ["conv2d"] = (x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1), [In(Any, 1, 2, 5, 5), In(Any, 3, 2, 3, 3), In(Any, 3)]),
        ["conv2d-groups-dilation"] = (x => F.Conv2d(x[0], x[1], null, (1, 1), (1, 1), (2, 2), groups: 2), [In(Any, 1, 2, 5, 5), In(Any, 2, 1, 3, 3)]),
        ["batch-norm-train"] = (x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true), [In(Any, 3, 2, 2, 2), In(Pos, 2), In(Any, 2)]),
        ["batch-norm-eval"] = (x => F.BatchNorm(x[0], Torch.FromArray(new double[] { 0.1, -0.2 }), Torch.FromArray(new double[] { 1.5, 0.5 }), x[1], x[2], training: false), [In(Any, 2, 2, 2, 2), In(Pos, 2), In(Any, 2)]),
        ["max-pool2d"] = (x => F.MaxPool2d(x[0], 2, 2), [In(Any, 1, 1, 4, 4)]),
        ["max-pool2d-padded"] = (x => F.MaxPool2d(x[0], (3, 3), (2, 2), (1, 1)), [In(Any, 1, 2, 5, 5)]),
        ["adaptive-avg-pool"] = (x => F.AdaptiveAvgPool2d(x[0], (2, 2)), [In(Any, 1, 2, 5, 4)]),
        ["adaptive-max-pool"] = (x => F.AdaptiveMaxPool2d(x[0], (1, 1)), [In(Any, 2, 2, 3, 3)]),
        ["interpolate-bilinear"] = (x => F.InterpolateBilinear(x[0], (5, 3)), [In(Any, 1, 1, 3, 4)]),
        ["interpolate-bilinear-aa"] = (x => F.InterpolateBilinear(x[0], (2, 3), antialias: true), [In(Any, 1, 1, 5, 6)]),
        ["multilabel-soft-margin"] = (x => F.MultiLabelSoftMarginLoss(x[0], Torch.FromArray(new double[] { 1, 0, 1, 0, 0, 1 }, 2, 3)), [In(Any, 2, 3)]),
    };

    public static IEnumerable<object[]> Names() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public void AnalyticGradientMatchesFiniteDifferences(string name)
    {
        var (f, specs) = Cases[name];
        var rng = new Random(name.Aggregate(17, (h, c) => h * 31 + c));
        var inputs = specs.Select(s => (s.Gen(rng, s.Shape.Aggregate(1L, (a, b) => a * b)), s.Shape)).ToList();
        GradCheck.Check(f, inputs);
    }

    [Fact]
    public void DropoutGradientUsesTheSameMaskAsTheForwardPass()
    {
        var rng = new Random(5);
        // The test's own generator: tests running in parallel draw from the global one and cannot change the mask.
        using var gen = new Generator(99);
        GradCheck.Check(x => F.Dropout(x[0], 0.4, training: true, gen), [(GradCheck.AwayFromZero(rng, 20), [20])],
            beforeEach: () => gen.ManualSeed(99));
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // detach() hides the dependency from autograd: the check must notice the missing gradient.
        Assert.ThrowsAny<Exception>(() =>
            GradCheck.Check(x => x[0] * x[0].Detach(), [(new double[] { 0.5, 1.5 }, [2])]));
    }
}
