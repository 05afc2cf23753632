using Xunit;

namespace Lah.Torch.Tests.Tensors;

/// <summary>Ops against values computed by hand.</summary>
public class TensorOpsTests
{
    private static Tensor M(float[] v, params long[] shape) => Torch.FromArray(v, shape);

    [Fact]
    public void CreationRoundTripsEveryHostDtype()
    {
        using var scope = Torch.NewScope();
        Assert.Equal(new[] { 1.5f, -2f }, Torch.FromArray(new[] { 1.5f, -2f }).ToFloatArray());
        Assert.Equal(new[] { 1e300, -3.0 }, Torch.FromArray(new[] { 1e300, -3.0 }).ToArray<double>());
        Assert.Equal(new[] { long.MaxValue, -7L }, Torch.FromArray(new[] { long.MaxValue, -7L }).ToArray<long>());
        Assert.Equal(new byte[] { 0, 255, 3 }, Torch.FromArray(new byte[] { 0, 255, 3 }).ToArray<byte>());
        Assert.Equal(new[] { true, false, true }, Torch.FromArray(new[] { true, false, true }).ToArray<bool>());
        var h = Torch.FromArray(new[] { (Half)0.5f, (Half)(-65504f) });
        Assert.Equal(DType.Float16, h.DType);
        Assert.Equal(new[] { 0.5f, -65504f }, h.ToFloatArray());
        var bf = Torch.FromArray(new[] { 1f, 3.140625f }).To(DType.BFloat16);
        Assert.Equal(DType.BFloat16, bf.DType);
        Assert.Equal(new[] { 1f, 3.140625f }, bf.ToFloatArray());
        var t = M([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.Shape);
        Assert.Equal(2, t.Dim);
        Assert.Equal(6, t.NumEl);
        Assert.Equal(Device.CPU, t.Device);
        Assert.Throws<ArgumentException>(() => Torch.FromArray(new[] { 1f, 2f, 3f }, 2, 2));
    }

    [Fact]
    public void BFloat16AndFloat16FromRawHostBits()
    {
        using var scope = Torch.NewScope();
        // bf16 is the top half of an IEEE float: 1.0 = 0x3F80, -2.5 = 0xC020.
        var bf = Torch.FromSpan<ushort>(new ushort[] { 0x3F80, 0xC020 }, [2], DType.BFloat16);
        Assert.Equal(DType.BFloat16, bf.DType);
        Assert.Equal(new[] { 1f, -2.5f }, bf.ToFloatArray());
        Assert.Equal(new ushort[] { 0x3F80, 0xC020 }, bf.ToArray<ushort>());
        // f16: 0x3C00 = 1.0, 0x7BFF = 65504 (largest finite).
        var h = Torch.FromSpan<ushort>(new ushort[] { 0x3C00, 0x7BFF }, [2, 1], DType.Float16);
        Assert.Equal(new[] { 1f, 65504f }, h.ToFloatArray());
        Assert.Throws<ArgumentException>(() => Torch.FromSpan<float>(new[] { 1f }, [1], DType.BFloat16));
        Assert.Throws<InvalidOperationException>(() => bf.ToArray<float>());
    }

    [Fact]
    public void ElementwiseArithmeticAndMath()
    {
        using var scope = Torch.NewScope();
        var a = M([1, 4, 9], 3);
        var b = M([2, -1, 0.5f], 3);
        Assert.Equal(new[] { 3f, 3, 9.5f }, (a + b).ToFloatArray());
        Assert.Equal(new[] { 0f, 4.5f, 8.75f }, a.Sub(b, 0.5).ToFloatArray());
        Assert.Equal(new[] { 2f, -4, 4.5f }, (a * b).ToFloatArray());
        Assert.Equal(new[] { 0.5f, -4, 18 }, (a / b).ToFloatArray());
        Assert.Equal(new[] { 1f, 2, 3 }, a.Sqrt().ToFloatArray());
        Assert.Equal(new[] { 1f, 16, 81 }, a.Pow(2).ToFloatArray());
        Assert.Equal(new[] { 9f, 6, 1 }, (10.0 - a).ToFloatArray());
        Assert.Equal(new[] { 36f, 9, 4 }, (36.0 / a).ToFloatArray());
        Assert.Equal(new[] { 1f, -1, 1 }, b.Sign().ToFloatArray());
        Assert.Equal(new[] { 2f, 1, 0.5f }, b.Abs().ToFloatArray());
        Assert.Equal(new[] { 1f, 0, 0.5f }, b.Clamp(0, 1).ToFloatArray());
        Assert.Equal(new[] { 2f, -0.5f, 0.5f }, b.Clamp(min: -0.5).ToFloatArray());
        Assert.Equal(MathF.Log(9), a.Log().ToFloatArray()[2], 5);
        Assert.Equal(MathF.Log(2), M([1], 1).Log1p().ItemFloat(), 6);
        Assert.Equal(MathF.Exp(-1), M([-1], 1).Exp().ItemFloat(), 6);
        Assert.Equal(new[] { true, false, false }, a.Lt(b).ToBoolArray());
        Assert.Equal(new[] { false, true, true }, a.Ge(4).ToBoolArray());
        Assert.Equal(new[] { false, true, false }, a.Eq(4).ToBoolArray());
        Assert.Equal(new[] { 2f, 4, 9 }, Torch.Where(a.Gt(b), a, b).ToFloatArray());
    }

    [Fact]
    public void ActivationsMatchTheirFormulas()
    {
        using var scope = Torch.NewScope();
        var x = M([-2, 0, 3], 3);
        Assert.Equal(new[] { 0f, 0, 3 }, x.Relu().ToFloatArray());
        Assert.Equal(new[] { -0.4f, 0, 3 }, x.LeakyRelu(0.2).ToFloatArray());
        Assert.Equal(MathF.Tanh(3), x.Tanh().ToFloatArray()[2], 6);
        Assert.Equal(0.5f, x.Sigmoid().ToFloatArray()[1], 6);
        Assert.Equal(MathF.Log(1 + MathF.Exp(-2)), x.Softplus().ToFloatArray()[0], 6);
        var ls = M([1, 2, 3, 1, 1, 1], 2, 3).LogSoftmax(1).ToFloatArray();
        float lse = MathF.Log(MathF.Exp(1) + MathF.Exp(2) + MathF.Exp(3));
        Assert.Equal(1 - lse, ls[0], 5);
        Assert.Equal(-MathF.Log(3), ls[4], 5);
    }

    [Fact]
    public void ReductionsOverDimsWithKeepDim()
    {
        using var scope = Torch.NewScope();
        var t = M([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(21f, t.Sum().ItemFloat());
        Assert.Equal(new[] { 5f, 7, 9 }, t.Sum(0).ToFloatArray());
        Assert.Equal(new long[] { 2, 1 }, t.Sum([1], keepDim: true).Shape);
        Assert.Equal(new[] { 2f, 5 }, t.Mean(1).ToFloatArray());
        Assert.Equal(6f, t.Max().ItemFloat());
        Assert.Equal(1f, t.Min().ItemFloat());
        Assert.Equal(new[] { 3f, 6 }, t.Amax([1]).ToFloatArray());
        Assert.Equal(new[] { 1f, 2, 3 }, t.Amin([0]).ToFloatArray());
        var (v, i) = M([3, 9, 1, 7, 2, 8], 2, 3).Max(1);
        Assert.Equal(new[] { 9f, 8 }, v.ToFloatArray());
        Assert.Equal(new[] { 1L, 2 }, i.ToLongArray());
        Assert.Equal(new[] { 1L, 2 }, M([3, 9, 1, 7, 2, 8], 2, 3).ArgMax(1).ToLongArray());
        Assert.Equal(MathF.Sqrt(91), t.Norm().ItemFloat(), 5);
        Assert.Equal(new[] { 6f, 15 }, t.Norm(1, [1]).ToFloatArray());
    }

    [Fact]
    public void LinearAlgebra()
    {
        using var scope = Torch.NewScope();
        var a = M([1, 2, 3, 4, 5, 6], 2, 3);
        var b = M([1, 0, 0, 1, 1, 1], 3, 2);
        Assert.Equal(new[] { 4f, 5, 10, 11 }, a.MatMul(b).ToFloatArray());
        Assert.Equal(new[] { 5f, 5, 11, 11 }, Torch.Addmm(M([1, 0, 1, 0], 2, 2), a, b).ToFloatArray());
        Assert.Equal(new[] { 3f, 4, 6, 8 }, M([1, 2], 2).Outer(M([3, 4], 2)).ToFloatArray());
        var bm = a.View(1, 2, 3).Bmm(b.View(1, 3, 2));
        Assert.Equal(new long[] { 1, 2, 2 }, bm.Shape);
        Assert.Equal(new[] { 4f, 5, 10, 11 }, bm.ToFloatArray());
        Assert.Equal(new[] { 1f, 4, 2, 5, 3, 6 }, a.T().Contiguous().ToFloatArray());
    }

    [Fact]
    public void ShapeAndIndexing()
    {
        using var scope = Torch.NewScope();
        var t = M([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 3, 4);
        Assert.Equal(new[] { 1f, 3, 5, 7, 9, 11 }, t.Slice(1, 1, 4, 2).ToFloatArray());
        Assert.Equal(new[] { 4f, 5, 6, 7 }, t.Narrow(0, 1, 1).ToFloatArray());
        Assert.Equal(new[] { 8f, 9, 10, 11, 0, 1, 2, 3 }, t.IndexSelect(0, Torch.FromArray(new long[] { 2, 0 })).ToFloatArray());
        Assert.Equal(new[] { 3f, 4, 10 }, t.Gather(1, Torch.FromArray(new long[] { 3, 0, 2 }, 3, 1)).ToFloatArray());
        Assert.Equal(new[] { 9f, 10, 11 }, t.MaskedSelect(t.Gt(8.5)).ToFloatArray());
        Assert.Equal(new long[] { 4, 3 }, t.Permute(1, 0).Shape);
        Assert.Equal(new long[] { 2, 6 }, t.Reshape(2, 6).Shape);
        Assert.Equal(new long[] { 3, 1, 4 }, t.Unsqueeze(1).Shape);
        Assert.Equal(new long[] { 12 }, t.Flatten().Shape);
        Assert.Equal(new[] { 0f, 5, 10 }, t.Diag().ToFloatArray());
        Assert.Equal(new[] { 1f, 0, 0, 2 }, M([1, 2], 2).Diag().ToFloatArray());
        Assert.Equal(new long[] { 6, 4 }, Torch.Cat([t, t], 0).Shape);
        Assert.Equal(new long[] { 3, 2, 4 }, Torch.Stack([t, t], 1).Shape);
        Assert.Equal(new[] { 1f, 0, 0, 0, 1, 0 }, Torch.Eye(2, 3).ToFloatArray());
        Assert.Equal(new[] { 7f, 1, 2, 7 }, Torch.Zeros([2, 2]).Add(M([0, 1, 2, 0], 2, 2)).FillDiagonal_(7).ToFloatArray());
        Assert.Equal(new[] { 0L, 1, 2, 3 }, Torch.Arange(4).ToLongArray());
        Assert.Equal(new[] { 2f, 2, 2 }, Torch.Full([3], 2).ToFloatArray());
        Assert.Equal(new[] { 1f, 1, 1, 1 }, M([1], 1, 1).Expand(2, 2).Contiguous().Flatten().ToFloatArray());
    }

    [Fact]
    public void InPlaceUpdatesForOptimizers()
    {
        using var scope = Torch.NewScope();
        var p = M([1, 2, 3], 3);
        p.Add_(M([1, 1, 1], 3), alpha: -0.5).Mul_(2).Sub_(1);
        Assert.Equal(new[] { 0f, 2, 4 }, p.ToFloatArray());
        p.Addcmul_(M([1, 2, 3], 3), M([2, 2, 2], 3), 0.5).Addcdiv_(M([4, 4, 4], 3), M([2, 4, 8], 3), 1);
        Assert.Equal(new[] { 3f, 5, 7.5f }, p.ToFloatArray());
        p.Clamp_(max: 5).Fill_(9);
        Assert.Equal(new[] { 9f, 9, 9 }, p.ToFloatArray());
        p.Copy_(M([4, 9, 16], 3)).Sqrt_();
        Assert.Equal(new[] { 2f, 3, 4 }, p.ToFloatArray());
        Assert.Equal(new[] { 0f, 0, 0 }, p.Zero_().ToFloatArray());
    }

    [Fact]
    public void SeededRandomnessRepeats()
    {
        // An explicit generator: tests in parallel classes draw from the global one and must not change these streams.
        using var scope = Torch.NewScope();
        using var gen = new Generator(42);
        var a = Torch.Randn([50], gen).ToFloatArray();
        var p = Torch.RandPerm(10, gen).ToLongArray();
        gen.ManualSeed(42);
        Assert.Equal(a, Torch.Randn([50], gen).ToFloatArray());
        Assert.Equal(p, Torch.RandPerm(10, gen).ToLongArray());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), p.OrderBy(x => x));
        var u = Torch.Rand([1000], gen).ToFloatArray();
        Assert.All(u, v => Assert.InRange(v, 0f, 1f));
        var bern = Torch.Bernoulli(Torch.Full([2000], 0.25), gen).ToFloatArray();
        Assert.InRange(bern.Average(), 0.2, 0.3);
        var state = gen.GetState();
        var x1 = Torch.Rand([5], gen).ToFloatArray();
        gen.SetState(state);
        Assert.Equal(x1, Torch.Rand([5], gen).ToFloatArray());
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStatistics()
    {
        using var scope = Torch.NewScope();
        var x = M([1, 3, 5, 7], 4, 1);
        var rm = Torch.Zeros([1]);
        var rv = Torch.Ones([1]);
        var y = F.BatchNorm(x, rm, rv, null, null, training: true, momentum: 0.1, eps: 0);
        float sd = MathF.Sqrt(5); // biased variance of {1,3,5,7}
        Assert.Equal(new[] { -3 / sd, -1 / sd, 1 / sd, 3 / sd }, y.ToFloatArray(), new FloatTol(1e-4f));
        Assert.Equal(0.4f, rm.ItemFloat(), 5);                      // 0.9·0 + 0.1·4
        Assert.Equal(0.9f + 0.1f * 20f / 3f, rv.ItemFloat(), 5);    // unbiased variance 20/3
    }

    [Fact]
    public void PoolsAndInterpolation()
    {
        using var scope = Torch.NewScope();
        var x = M([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 1, 1, 4, 4);
        Assert.Equal(new[] { 6f, 8, 14, 16 }, F.MaxPool2d(x, 2).ToFloatArray());
        Assert.Equal(new[] { 3.5f, 5.5f, 11.5f, 13.5f }, F.AdaptiveAvgPool2d(x, (2, 2)).ToFloatArray());
        Assert.Equal(new[] { 16f }, F.AdaptiveMaxPool2d(x, (1, 1)).ToFloatArray());
        var up = F.InterpolateBilinear(M([0, 2], 1, 1, 1, 2), (1, 4), alignCorners: true).ToFloatArray();
        Assert.Equal(new[] { 0f, 2f / 3, 4f / 3, 2 }, up, new FloatTol(1e-6f));
        var conv = F.Conv2d(x, Torch.Ones([1, 1, 2, 2]), Torch.FromArray(new[] { 0.5f }), stride: 2);
        Assert.Equal(new[] { 14.5f, 22.5f, 46.5f, 54.5f }, conv.ToFloatArray());
        Assert.Equal(new[] { 0f, 0, 0, 0 }, F.Dropout(Torch.Ones([4]), 1.0, training: true).ToFloatArray());
        Assert.Equal(new[] { 1f, 1, 1, 1 }, F.Dropout(Torch.Ones([4]), 0.7, training: false).ToFloatArray());
    }

    [Fact]
    public void MultiLabelSoftMarginLossMatchesItsDefinition()
    {
        using var scope = Torch.NewScope();
        var x = M([0.5f, -1, 2], 1, 3);
        var y = M([1, 0, 1], 1, 3);
        static float Ls(float v) => -MathF.Log(1 + MathF.Exp(-v));
        float expected = -(Ls(0.5f) + Ls(1) + Ls(2)) / 3;
        Assert.Equal(expected, F.MultiLabelSoftMarginLoss(x, y).ItemFloat(), 5);
    }

    private sealed class FloatTol(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(float v) => 0;
    }
}
