using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Optim;

/// <summary>SGD against PyTorch's update rule written out in doubles for a quadratic loss ½·c·p² (gradient c·p).</summary>
public class SgdTests
{
    // Runs `steps` optimizer steps on L = Σ ½·c_i·p_i² and returns the parameter after each step.
    internal static List<double[]> Run(Func<Tensor, Optimizer> make, double[] p0, double[] c, int steps = 3)
    {
        using var p = Torch.FromArray(p0).RequiresGrad_();
        using var opt = make(p);
        var history = new List<double[]>();
        for (int s = 0; s < steps; s++)
        {
            using var scope = Torch.NewScope();
            opt.ZeroGrad();
            (0.5 * Torch.FromArray(c) * p * p).Sum().Backward();
            opt.Step();
            history.Add(p.ToDoubleArray());
        }
        return history;
    }

    private static void AssertClose(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0, false)]
    [InlineData(0.9, 0.0, 0.0, false)]
    [InlineData(0.9, 0.0, 0.01, true)]
    [InlineData(0.8, 0.3, 0.05, false)]
    public void MatchesTheClosedFormUpdates(double momentum, double dampening, double wd, bool nesterov)
    {
        double lr = 0.1;
        double[] p0 = [1.5, -2.0], c = [1.0, 3.0];
        var got = Run(p => new SGD([p], lr, momentum, dampening, wd, nesterov), p0, c);

        var p = (double[])p0.Clone();
        var buf = new double[2];
        for (int s = 0; s < 3; s++)
        {
            for (int i = 0; i < 2; i++)
            {
                double d = c[i] * p[i] + wd * p[i];
                if (momentum != 0)
                {
                    buf[i] = s == 0 ? d : momentum * buf[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * d;
            }
            AssertClose(p, got[s]);
        }
    }

    [Fact]
    public void EachGroupUsesItsOwnLearningRateAndDefaultsFillTheRest()
    {
        using var a = Torch.FromArray([1.0]).RequiresGrad_();
        using var b = Torch.FromArray([1.0]).RequiresGrad_();
        using var opt = new SGD([new ParamGroup([a], lr: 0.5, name: "a"), new ParamGroup([b], name: "b")], lr: 0.1, momentum: 0.9);
        Assert.Equal(0.1, opt.ParamGroups[1].Lr);
        Assert.Equal(0.9, opt.ParamGroups[0].Momentum);
        using (Torch.NewScope())
        {
            (a * 2.0 + b * 2.0).Sum().Backward();
            opt.Step();
        }
        Assert.Equal(1 - 0.5 * 2, a.ToDoubleArray()[0], 12);
        Assert.Equal(1 - 0.1 * 2, b.ToDoubleArray()[0], 12);
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        using var a = Torch.FromArray([1.0]).RequiresGrad_();
        using var opt = new SGD([a], lr: 0.1, momentum: 0.9);
        opt.Step();
        Assert.Equal(1.0, a.ToDoubleArray()[0]);
        Assert.DoesNotContain(opt.StateDict().Keys, k => k.StartsWith("state."));
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        using var a = Torch.FromArray([1.0]).RequiresGrad_();
        Assert.Throws<ArgumentException>(() => new SGD([a], lr: -1));
        Assert.Throws<ArgumentException>(() => new SGD([a], lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new SGD([new ParamGroup([a]), new ParamGroup([a])], lr: 0.1));
    }
}
