using Lah.Torch;
using Lah.Vision.Models;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class SmallCnnTests
{
    [Fact]
    public void Has_the_backbone_interface_with_its_stride_and_width()
    {
        Torch.ManualSeed(4);
        using Backbone model = new SmallCnn(new SmallCnnConfig { Widths = [8, 16, 24], NumClasses = 5 });
        Assert.Equal(24, model.NumFeatures);
        Assert.Equal(4, model.FeatureStride);
        Assert.Equal(GlobalPooling.Max, model.Pooling);
        using var scope = Torch.NewScope();
        var x = Torch.Randn([2, 3, 32, 32]);
        Assert.Equal([2, 24, 8, 8], model.ForwardFeatures(x).Shape);
        Assert.Equal([2, 24], model.ForwardPooled(x).Shape);
        Assert.Equal([2, 5], model.Forward(x).Shape);
        Assert.Contains("features.0.conv.weight", model.StateDict().Keys);
        Assert.Contains("features.2.bn.running_var", model.StateDict().Keys);
        Assert.Contains("fc.weight", model.StateDict().Keys);
    }

    [Fact]
    public void Same_seed_same_weights()
    {
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        using var a = new SmallCnn(new SmallCnnConfig(), g1);
        using var b = new SmallCnn(new SmallCnnConfig(), g2);
        foreach (var ((na, ta), (nb, tb)) in a.NamedParameters().Zip(b.NamedParameters()))
        {
            Assert.Equal(na, nb);
            Assert.Equal(ta.ToFloatArray(), tb.ToFloatArray());
        }
    }
}
