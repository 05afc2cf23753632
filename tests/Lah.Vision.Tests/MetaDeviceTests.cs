using Lah.Torch;
using Lah.Vision.Models;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Backbones on libtorch's meta device, in the ordinary CPU run (a whole training step on meta is in
/// tests/Lah.Training.Tests/MetaDeviceTrainingTests.cs).
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
}
