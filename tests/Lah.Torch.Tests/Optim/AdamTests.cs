using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Optim;

/// <summary>Adam/AdamW against the update written out in doubles, on L = Σ ½·c·p² (gradient c·p), float64 parameters.</summary>
public class AdamTests
{
    private static double[] Reference(double[] p0, double[] c, double lr, double b1, double b2, double eps, double wd,
        bool decoupled, bool amsgrad, int steps)
    {
        var p = (double[])p0.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        var vmax = new double[p.Length];
        for (int t = 1; t <= steps; t++)
            for (int i = 0; i < p.Length; i++)
            {
                double g = c[i] * p[i];
                if (decoupled) p[i] *= 1 - lr * wd;
                else g += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vmax[i] = Math.Max(vmax[i], v[i]);
                double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                double denom = Math.Sqrt(amsgrad ? vmax[i] : v[i]) / Math.Sqrt(bc2) + eps;
                p[i] -= lr / bc1 * m[i] / denom;
            }
        return p;
    }

    [Theory]
    [InlineData(false, 0.0, false)]
    [InlineData(false, 0.1, false)]
    [InlineData(true, 0.1, false)]
    [InlineData(false, 0.0, true)]
    public void ThreeStepsMatchTheClosedForm(bool decoupled, double wd, bool amsgrad)
    {
        // The third coordinate's gradient collapses after one step, so its second moment shrinks (AMSGrad matters).
        double[] p0 = [1.5, -2.0, 0.06], c = [1.0, 3.0, 20.0];
        double lr = 0.05, b1 = 0.8, b2 = 0.9, eps = 1e-6;
        var got = SgdTests.Run(p => decoupled
            ? new AdamW([p], lr, b1, b2, eps, wd, amsgrad)
            : new Adam([p], lr, b1, b2, eps, wd, amsgrad), p0, c);
        for (int s = 0; s < 3; s++)
        {
            var expected = Reference(p0, c, lr, b1, b2, eps, wd, decoupled, amsgrad, s + 1);
            for (int i = 0; i < 3; i++) Assert.Equal(expected[i], got[s][i], 12);
        }
    }

    [Fact]
    public void AmsgradDiffersWhenTheSecondMomentShrinks()
    {
        double[] p0 = [0.06], c = [20.0];
        var plain = SgdTests.Run(p => new Adam([p], 0.05, 0.8, 0.9), p0, c, steps: 3)[2][0];
        var ams = SgdTests.Run(p => new Adam([p], 0.05, 0.8, 0.9, amsgrad: true), p0, c, steps: 3)[2][0];
        Assert.NotEqual(plain, ams);
    }

    [Fact]
    public void AdamWDefaultsToDecayOf0Point01()
    {
        using var p = Torch.FromArray([1.0]).RequiresGrad_();
        using var opt = new AdamW([p]);
        Assert.Equal(0.01, opt.ParamGroups[0].WeightDecay);
        Assert.Equal(1e-3, opt.ParamGroups[0].Lr);
        Assert.Throws<ArgumentException>(() => new Adam([p], beta1: 1.0));
    }
}
