using Xunit;

namespace Lah.Torch.Tests.Tensors;

public class AutogradTests
{
    [Fact]
    public void BackwardAccumulatesIntoLeavesAndZeroGradClears()
    {
        using var scope = Torch.NewScope();
        var w = Torch.FromArray(new[] { 1f, 2f }).RequiresGrad_();
        Assert.True(w.IsLeaf && w.RequiresGrad);
        Assert.Null(w.Grad);
        (w * w).Sum().Backward();
        Assert.Equal(new[] { 2f, 4f }, w.Grad!.ToFloatArray());
        (w * 3.0).Sum().Backward();
        Assert.Equal(new[] { 5f, 7f }, w.Grad!.ToFloatArray());
        w.ZeroGrad();
        Assert.Equal(new[] { 0f, 0f }, w.Grad!.ToFloatArray());
        w.ZeroGrad(setToNone: true);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void BackwardWithAnExplicitGradient()
    {
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new[] { 1f, 2f, 3f }).RequiresGrad_();
        var y = x * x;
        Assert.False(y.IsLeaf);
        y.Backward(Torch.FromArray(new[] { 1f, 0.5f, 0f }));
        Assert.Equal(new[] { 2f, 2f, 0f }, x.Grad!.ToFloatArray());
    }

    [Fact]
    public void NoGradAndDetachStopRecording()
    {
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new[] { 1f }).RequiresGrad_();
        using (Torch.NoGrad())
        {
            Assert.False((x * 2.0).RequiresGrad);
            using (Torch.EnableGrad()) Assert.True((x * 2.0).RequiresGrad);
        }
        Assert.True((x * 2.0).RequiresGrad);
        Assert.False(x.Detach().RequiresGrad);
    }

    [Fact]
    public void BackwardOnANonScalarWithoutGradientIsAClearError()
    {
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new[] { 1f, 2f }).RequiresGrad_();
        var e = Assert.Throws<LahNativeException>(() => (x * 2.0).Backward());
        Assert.Contains("scalar", e.Message);
    }
}
