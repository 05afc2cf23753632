using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Optim;

public class ClipGradTests
{
    private static (Tensor A, Tensor B) WithGrads(float[] ga, float[] gb)
    {
        var a = Torch.Zeros([ga.Length]).RequiresGrad_();
        var b = Torch.Zeros([gb.Length]).RequiresGrad_();
        a.Grad = Torch.FromArray(ga);
        b.Grad = Torch.FromArray(gb);
        return (a, b);
    }

    [Fact]
    public void ScalesAllGradientsTogetherWhenTheTotalNormExceedsTheMaximum()
    {
        using var scope = Torch.NewScope();
        var (a, b) = WithGrads([3, 0], [0, 4]);
        double total = ClipGrad.Norm([a, b], 1.0);
        Assert.Equal(5.0, total, 5);
        double coef = 1.0 / (5.0 + 1e-6);
        Assert.Equal(new[] { 3 * coef, 0 }, a.Grad!.ToDoubleArray(), (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal(new[] { 0, 4 * coef }, b.Grad!.ToDoubleArray(), (x, y) => Math.Abs(x - y) < 1e-6);
    }

    [Fact]
    public void LeavesGradientsAloneBelowTheMaximumAndSupportsOtherNorms()
    {
        using var scope = Torch.NewScope();
        var (a, b) = WithGrads([3, 0], [0, -4]);
        Assert.Equal(5.0, ClipGrad.Norm([a, b], 10.0), 5);
        Assert.Equal(new[] { 3f, 0f }, a.Grad!.ToFloatArray());
        Assert.Equal(7.0, ClipGrad.Norm([a, b], 10.0, normType: 1), 5);
        Assert.Equal(4.0, ClipGrad.Norm([a, b], 2.0, normType: double.PositiveInfinity), 5);
        Assert.Equal(new[] { 1.5, 0 }, a.Grad!.ToDoubleArray(), (x, y) => Math.Abs(x - y) < 1e-5);
        Assert.Equal(0.0, ClipGrad.Norm([Torch.Zeros([2]).RequiresGrad_()], 1.0));
    }
}
