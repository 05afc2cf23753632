using Lah.Torch.NN;
using Xunit;

namespace Lah.Torch.Tests.NN;

public class InitTests
{
    private static (double Mean, double Var, double Min, double Max) Stats(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average();
        return (mean, v.Average(x => (x - mean) * (x - mean)), v.Min(), v.Max());
    }

    [Fact]
    public void InitialisersFollowTheirVarianceFormulas()
    {
        using var gen = new Generator(5);
        using var scope = Torch.NewScope();
        var w = Torch.Empty([256, 128, 3, 3]).RequiresGrad_();
        long fanIn = 128 * 9, fanOut = 256 * 9;

        var s = Stats(Init.KaimingNormal_(w, mode: FanMode.FanOut, nonlinearity: "relu", generator: gen));
        Assert.InRange(s.Var / (2.0 / fanOut), 0.98, 1.02);
        Assert.True(w.RequiresGrad && w.IsLeaf);

        s = Stats(Init.KaimingUniform_(w, nonlinearity: "relu", generator: gen));
        double bound = Math.Sqrt(6.0 / fanIn);
        Assert.InRange(s.Var / (2.0 / fanIn), 0.98, 1.02);
        Assert.True(s.Min >= -bound && s.Max <= bound);

        s = Stats(Init.XavierUniform_(w, gain: 2, generator: gen));
        double a = 2 * Math.Sqrt(6.0 / (fanIn + fanOut));
        Assert.True(s.Min >= -a && s.Max <= a && s.Max > 0.99 * a);
        s = Stats(Init.XavierNormal_(w, generator: gen));
        Assert.InRange(s.Var / (2.0 / (fanIn + fanOut)), 0.98, 1.02);

        s = Stats(Init.Normal_(w, 3, 0.5, gen));
        Assert.InRange(s.Mean, 2.99, 3.01);
        s = Stats(Init.Uniform_(w, 2, 4, gen));
        Assert.True(s.Min >= 2 && s.Max <= 4);
        Assert.Equal((0.0, 0.0, 0.0, 0.0), Stats(Init.Zeros_(w)));
        Assert.Equal((1.0, 0.0, 1.0, 1.0), Stats(Init.Ones_(w)));
        Assert.Equal(Math.Sqrt(2 / (1 + 0.04)), Init.CalculateGain("leaky_relu", 0.2), 12);
        Assert.Throws<ArgumentException>(() => Init.KaimingUniform_(Torch.Zeros([3])));
    }
}
