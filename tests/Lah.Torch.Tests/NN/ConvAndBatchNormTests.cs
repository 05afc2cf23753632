using Lah.Torch.NN;
using Xunit;

namespace Lah.Torch.Tests.NN;

public class ConvAndBatchNormTests
{
    [Fact]
    public void Conv2dInitUsesFanInOfTheGroupedKernel()
    {
        using var gen = new Generator(3);
        using var conv = new Conv2d(64, 128, 3, padding: 1, groups: 2, generator: gen);
        Assert.Equal(new long[] { 128, 32, 3, 3 }, conv.Weight.Shape);
        double bound = 1 / Math.Sqrt(32 * 3 * 3);
        var w = conv.Weight.ToFloatArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        double mean = w.Average(v => (double)v), var = w.Average(v => (v - mean) * (v - mean));
        Assert.InRange(var / (bound * bound / 3), 0.97, 1.03);
        Assert.True(w.Max() > 0.99 * bound);
        Assert.All(conv.Bias!.ToFloatArray(), v => Assert.InRange(v, -bound, bound));
    }

    [Fact]
    public void Conv2dForwardMatchesFunctional()
    {
        using var conv = new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2), groups: 2, bias: false);
        using var scope = Torch.NewScope();
        Assert.Null(conv.Bias);
        Assert.Equal(["weight"], conv.StateDict().Keys);
        var x = Torch.Randn([2, 4, 7, 9]);
        var expected = F.Conv2d(x, conv.Weight, null, (2, 1), (1, 0), (1, 2), 2);
        Assert.Equal(expected.Shape, conv.Forward(x).Shape);
        Assert.Equal(expected.ToFloatArray(), conv.Forward(x).ToFloatArray());
        Assert.Throws<ArgumentException>(() => new Conv2d(5, 6, 3, groups: 2));
    }

    [Fact]
    public void BatchNormStartsAtIdentityStatisticsAndUpdatesThemInTraining()
    {
        using var bn = new BatchNorm2d(3);
        using var scope = Torch.NewScope();
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.All(bn.Weight!.ToFloatArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.Bias!.ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningMean!.ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningVar!.ToFloatArray(), v => Assert.Equal(1f, v));
        Assert.Equal(DType.Int64, bn.NumBatchesTracked!.DType);
        Assert.Equal(0, bn.NumBatchesTracked.ItemLong());

        // Channel c holds the values 4c + {0..7} (2 images × 2×2): mean 4c + 3.5, unbiased variance 6.
        var data = new float[2 * 3 * 4];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 4; i++) data[(n * 3 + c) * 4 + i] = 4 * c + n * 4 + i;
        var x = Torch.FromArray(data, 2, 3, 2, 2);
        var y = bn.Forward(x);
        Assert.Equal(1, bn.NumBatchesTracked.ItemLong());
        var rm = bn.RunningMean.ToDoubleArray();
        var rv = bn.RunningVar.ToDoubleArray();
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0.1 * (4 * c + 3.5), rm[c], 5);
            Assert.Equal(0.9 + 0.1 * 6, rv[c], 5);
        }
        // Training output uses the batch's biased variance (5.25).
        Assert.Equal((0 - 3.5) / Math.Sqrt(5.25 + 1e-5), y.ToDoubleArray()[0], 4);

        bn.Eval();
        var e = bn.Forward(x);
        Assert.Equal(1, bn.NumBatchesTracked.ItemLong());
        Assert.Equal((0 - rm[0]) / Math.Sqrt(rv[0] + 1e-5), e.ToDoubleArray()[0], 4);
        Assert.Throws<ArgumentException>(() => bn.Forward(Torch.Zeros([2, 4, 2, 2])));
    }

    [Fact]
    public void PoolingLayersMatchFunctional()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Randn([2, 3, 8, 8]);
        using var mp = new MaxPool2d(3, 2, 1);
        using var avg = new AdaptiveAvgPool2d(1);
        using var max = new AdaptiveMaxPool2d((2, 1));
        Assert.Equal(F.MaxPool2d(x, 3, 2, 1).ToFloatArray(), mp.Forward(x).ToFloatArray());
        Assert.Equal(x.Mean([2, 3]).ToFloatArray(), avg.Forward(x).Flatten(1).ToFloatArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(new long[] { 2, 3, 2, 1 }, max.Forward(x).Shape);
        using var flat = new Flatten();
        Assert.Equal(new long[] { 2, 192 }, flat.Forward(x).Shape);
    }
}
