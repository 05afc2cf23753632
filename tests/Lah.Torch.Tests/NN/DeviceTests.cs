using Lah.Torch.NN;
using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.NN;

public class DeviceTests
{
    [Fact]
    public void SetDataKeepsTheTensorObjectAndItsLeafStatus()
    {
        using var scope = Torch.NewScope();
        var p = Torch.Zeros([2]).RequiresGrad_();
        p.SetData_(Torch.Ones([3]));
        Assert.True(p.RequiresGrad && p.IsLeaf);
        Assert.Equal(new long[] { 3 }, p.Shape);
        Assert.Equal(new[] { 1f, 1f, 1f }, p.ToFloatArray());
    }

    [Fact]
    public void MovingToCudaWithoutCudaIsAClearError()
    {
        if (Device.CudaAvailable) return; // exercised by the Gpu-tagged test instead
        using var lin = new Linear(2, 2);
        var e = Assert.Throws<InvalidOperationException>(() => lin.To(Device.Cuda()));
        Assert.Contains("cuda:0", e.Message);
        Assert.Equal(Device.CPU, lin.To(Device.CPU).Parameters().First().Device);
    }

    [Fact]
    [Trait("Category", "Gpu")]
    public void ModulesMoveToCudaInPlaceAndTrainThere()
    {
        using var net = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 1));
        using var bn = new BatchNorm2d(3);
        var weight = ((Linear)net[0]).Weight;
        using var opt = new SGD(net.Parameters(), 0.1, momentum: 0.9);
        net.To(Device.Cuda());
        bn.To(Device.Cuda());
        Assert.Same(weight, ((Linear)net[0]).Weight);
        Assert.All(net.Parameters(), p => Assert.Equal(Device.Cuda(), p.Device));
        Assert.All(bn.Buffers(), b => Assert.Equal(Device.Cuda(), b.Device));
        using var scope = Torch.NewScope();
        var x = Torch.Randn([8, 4]).To(Device.Cuda());
        var before = weight.Cpu().ToFloatArray();
        net.Forward(x).Square().Mean().Backward();
        opt.Step();
        Assert.NotEqual(before, weight.Cpu().ToFloatArray());
        bn.Forward(Torch.Randn([2, 3, 2, 2]).To(Device.Cuda()));
        Assert.Equal(1, bn.NumBatchesTracked!.ItemLong());
        net.To(Device.CPU);
        Assert.Equal(Device.CPU, weight.Device);
    }
}
