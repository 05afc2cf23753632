using Lah.Torch.NN;
using Xunit;

namespace Lah.Torch.Tests.NN;

public class LayerTests
{
    [Fact]
    public void LinearMatchesFunctionalAndItsDefaultInit()
    {
        using var gen = new Generator(11);
        using var lin = new Linear(400, 300, generator: gen);
        using var scope = Torch.NewScope();
        var w = lin.Weight.ToFloatArray();
        double bound = 1 / Math.Sqrt(400);
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        // U(-b, b) has variance b²/3; 120 000 draws put the sample variance within a few tenths of a percent.
        double mean = w.Average(v => (double)v), var = w.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.01 * bound, 0.01 * bound);
        Assert.InRange(var / (bound * bound / 3), 0.98, 1.02);
        Assert.True(w.Max() > 0.99 * bound && w.Min() < -0.99 * bound);
        Assert.All(lin.Bias!.ToFloatArray(), v => Assert.InRange(v, -bound, bound));

        var x = Torch.Randn([5, 400]);
        Assert.Equal(F.Linear(x, lin.Weight, lin.Bias).ToFloatArray(), lin.Forward(x).ToFloatArray());
        Assert.Equal(new long[] { 300, 400 }, lin.Weight.Shape);
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndInvertedInTraining()
    {
        using var d = new Dropout(0.5);
        using var scope = Torch.NewScope();
        var x = Torch.Ones([1000]);
        var y = d.Forward(x).ToFloatArray();
        Assert.All(y, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(y.Count(v => v == 0), 400, 600);
        d.Eval();
        Assert.All(d.Forward(x).ToFloatArray(), v => Assert.Equal(1f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
    }

    [Fact]
    public void SequentialChainsAndNamesChildrenByIndex()
    {
        using var seq = new Sequential(new Identity(), new LeakyReLU(0.5), new ReLU());
        using var scope = Torch.NewScope();
        Assert.Equal(["0", "1", "2"], seq.NamedChildren().Select(c => c.Name));
        var x = Torch.FromArray([-2f, 3f]);
        Assert.Equal(new[] { -1f, 3f }, ((Module)seq[1]).Forward(x).ToFloatArray());
        Assert.Equal(new[] { 0f, 3f }, seq.Forward(x).ToFloatArray());
    }
}
