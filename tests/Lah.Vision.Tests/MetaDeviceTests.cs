using Lah.Hashing.Config;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Training.EndToEnd;
using Lah.Vision.Models;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Backbones and a whole training step on libtorch's meta device, in the ordinary CPU run: the step the GPU trainer
/// takes (forward, Cauchy loss, backward, SGD) minus what reads values (the loss's divergence check and
/// ClipGrad.Norm's returned norm cannot run on meta).
/// </summary>
public sealed class MetaDeviceTests
{
    [Fact]
    public void Resnet_and_small_cnn_move_to_meta_and_run_there()
    {
        Torch.ManualSeed(1);
        using Backbone resnet = new ResNet(new ResNetConfig { Block = BlockKind.Bottleneck, Layers = [1, 1, 1, 1], WidthPerGroup = 16, NumClasses = 3 });
        using Backbone cnn = new SmallCnn(new SmallCnnConfig { Widths = [8, 16, 24], NumClasses = 3 });
        foreach (var model in new[] { resnet, cnn })
        {
            model.To(Device.Meta);
            Assert.All(model.StateDict().Values, t => Assert.Equal(Device.Meta, t.Device));
            using var scope = Torch.NewScope();
            var x = Torch.Randn([2, 3, 32, 32], device: Device.Meta);
            var pooled = model.ForwardPooled(x);
            Assert.Equal(new long[] { 2, model.NumFeatures }, pooled.Shape);
            Assert.Equal(Device.Meta, pooled.Device);
            Assert.Equal(new long[] { 2, 3 }, model.Forward(x).Shape);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_training_step_runs_forward_and_backward_on_meta(bool dch)
    {
        var mosaic = new MosaicSetup(count: 60, queries: 10, train: 40);
        using var network = mosaic.Network(seed: 2, bits: 16, dch: dch);
        using var opt = new SGD(network.Parameters(), 0.1, momentum: 0.9, weightDecay: 1e-4);
        network.To(Device.Meta);
        network.Train();
        using var scope = Torch.NewScope();
        var images = Torch.Randn([4, 3, 32, 32], device: Device.Meta);
        var labels = Torch.Rand([4, 10], device: Device.Meta).Gt(0.5).To(DType.Float32);
        opt.ZeroGrad();
        var codes = network.Forward(images);
        Assert.Equal(new long[] { 4, 16 }, codes.Shape);
        var terms = MosaicSetup.Loss().Compute(codes, labels);
        Assert.Equal(Device.Meta, terms.Total.Device);
        terms.Total.Backward();
        Assert.All(network.Parameters(), p =>
        {
            using var g = p.Grad;
            if (g is not null) Assert.Equal(Device.Meta, g.Device);
        });
        opt.Step();
        Assert.All(network.StateDict().Values, t => Assert.Equal(Device.Meta, t.Device));
        // The trainer's loss read is the one step meta cannot take: a clear error, not a crash.
        Assert.Contains("meta device", Assert.Throws<InvalidOperationException>(() => terms.Total.ItemDouble()).Message);
    }
}
