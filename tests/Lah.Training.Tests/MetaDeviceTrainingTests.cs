using Lah.Torch;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// A whole training step on libtorch's meta device, in the ordinary CPU run: the step the loop takes on a GPU (forward
/// through <see cref="ITrainable"/>, the loss, backward, the optimizer over the model's groups) minus what reads values
/// (the loop's divergence check reads the loss, and ClipGrad.Norm returns the norm: neither can run on meta).
/// </summary>
public sealed class MetaDeviceTrainingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_training_step_runs_forward_and_backward_on_meta(bool dch)
    {
        var mosaic = new MosaicSetup(count: 60, queries: 10, train: 40);
        using var network = mosaic.Network(seed: 2, bits: 16, dch: dch);
        ITrainable model = network;
        using var opt = Kit.Optimizer(model, OptimizerKind.Sgd, 0.1, weightDecay: 1e-4);
        network.To(Device.Meta);
        network.Train();
        using var scope = Torch.NewScope();
        var images = Torch.Randn([4, 3, 32, 32], device: Device.Meta);
        var labels = Torch.Rand([4, 10], device: Device.Meta).Gt(0.5).To(DType.Float32);
        opt.ZeroGrad();
        var output = model.Forward(images);
        Assert.Equal(new long[] { 4, 16 }, output.Codes.Shape);
        var value = MosaicSetup.Loss().Compute(output, labels);
        Assert.Equal(Device.Meta, value.Total.Device);
        value.Total.Backward();
        Assert.All(network.Parameters(), p =>
        {
            using var g = p.Grad;
            if (g is not null) Assert.Equal(Device.Meta, g.Device);
        });
        opt.Step();
        Assert.All(network.StateDict().Values, t => Assert.Equal(Device.Meta, t.Device));
        // The loop's loss read is the one step meta cannot take: a clear error, not a crash.
        Assert.Contains("meta device", Assert.Throws<InvalidOperationException>(() => value.Total.ItemDouble()).Message);
        var e = Assert.Throws<InvalidOperationException>(() =>
            Kit.Fit(model, MosaicSetup.Loss(), mosaic.Batches(4), opt, new TrainerSettings { MaxStepsPerEpoch = 1, ClipNorm = 10 }));
        Assert.Contains("meta device", e.Message);
    }
}
