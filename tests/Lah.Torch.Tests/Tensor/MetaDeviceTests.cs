using Lah.Torch.NN;
using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Tensors;

/// <summary>
/// libtorch's meta device (shapes and dtypes, no storage) runs device-placement checks without a GPU: a tensor created
/// on the wrong device fails on meta as it would on CUDA ("found at least two devices, meta and cpu").
/// libtorch 1.13 has meta kernels for factories, most elementwise ops, reductions over dims, matmul/bmm/linear, pooling,
/// dropout, upsampling, eye, fill_diagonal_, in-place optimizer updates and backward. It lacks them for conv2d,
/// batch_norm, abs, relu, log_sigmoid and full max/min: the shim computes those on meta through equal expressions
/// (conv2d and batch_norm through their shape rule, inputs joined into the autograd graph), see src/Lah.Torch/API.md.
/// Untestable on meta: values (Item*/To*Array/copies to the CPU: a clear error), data-dependent shapes
/// (masked_select, nonzero), and where, diag, index_select, randperm (no meta kernel, unused on the training path).
/// matmul/linear do not check devices on meta in 1.13 (a CPU operand passes); elementwise ops and the shim's meta
/// conv2d/batch_norm do.
/// </summary>
public class MetaDeviceTests
{
    [Fact]
    public void Meta_parses_prints_and_is_always_available()
    {
        Assert.Equal(Device.Meta, Device.Parse("META"));
        Assert.Equal("meta", Device.Meta.ToString());
        Device.Meta.EnsureAvailable();
    }

    [Fact]
    public void Factories_and_moves_create_meta_tensors_with_shape_and_dtype()
    {
        using var scope = Torch.NewScope();
        var z = Torch.Zeros([2, 3], DType.Float64, Device.Meta);
        Assert.Equal(Device.Meta, z.Device);
        Assert.Equal(new long[] { 2, 3 }, z.Shape);
        Assert.Equal(DType.Float64, z.DType);
        Assert.Equal(Device.Meta, Torch.Eye(4, dtype: DType.Float32, device: Device.Meta).Device);
        Assert.Equal(Device.Meta, Torch.OnesLike(z).Device);
        Assert.Equal(Device.Meta, Torch.ZerosLike(z).Device);
        Assert.Equal(Device.Meta, Torch.FromArray(new[] { 1f, 2f }, 2).To(Device.Meta).Device);
    }

    [Fact]
    public void Reading_values_of_a_meta_tensor_is_a_clear_error()
    {
        using var scope = Torch.NewScope();
        var t = Torch.Ones([2, 2], device: Device.Meta);
        var e = Assert.Throws<InvalidOperationException>(() => t.ToFloatArray());
        Assert.Contains("meta device", e.Message);
        Assert.Contains("[2,2]", e.Message);
        Assert.Contains("ItemDouble", Assert.Throws<InvalidOperationException>(() => t.Sum().ItemDouble()).Message);
        Assert.Contains("ToArray", Assert.Throws<InvalidOperationException>(() => t.ToArray<float>()).Message);
        Assert.Contains("meta", t.ToString());
    }

    [Fact]
    public void Mixing_meta_and_cpu_tensors_raises_naming_both_devices()
    {
        using var scope = Torch.NewScope();
        var meta = Torch.Ones([2, 2], device: Device.Meta);
        var cpu = Torch.Ones([2, 2]);
        var e = Assert.Throws<LahNativeException>(() => meta + cpu);
        Assert.Contains("meta", e.Message);
        Assert.Contains("cpu", e.Message);
        var w = Torch.Ones([4, 3, 3, 3]);
        var conv = Assert.Throws<LahNativeException>(() => F.Conv2d(Torch.Ones([1, 3, 8, 8], device: Device.Meta), w));
        Assert.Contains("meta and cpu", conv.Message);
    }

    [Fact]
    public void Matmul_conv_dropout_and_backward_run_on_meta()
    {
        using var scope = Torch.NewScope();
        var w = Torch.Randn([4, 3], device: Device.Meta).RequiresGrad_();
        var x = Torch.Randn([5, 4], device: Device.Meta);
        var y = F.Dropout(x.MatMul(w), 0.5, training: true).Tanh();
        Assert.Equal(new long[] { 5, 3 }, y.Shape);
        var img = Torch.Randn([2, 3, 8, 8], device: Device.Meta);
        var k = Torch.Randn([6, 3, 3, 3], device: Device.Meta);
        Assert.Equal(new long[] { 2, 6, 8, 8 }, F.Conv2d(img, k, padding: 1).Shape);
        y.Sum().Backward();
        using var g = w.Grad!;
        Assert.Equal(Device.Meta, g.Device);
        Assert.Equal(w.Shape, g.Shape);
    }

    [Fact]
    public void Data_dependent_shapes_are_not_supported_on_meta()
    {
        // masked_select's result size depends on the mask's values, which meta does not have.
        using var scope = Torch.NewScope();
        var t = Torch.Ones([3, 3], device: Device.Meta);
        Assert.Throws<LahNativeException>(() => t.MaskedSelect(t.Gt(0.0)));
    }

    [Fact]
    public void Ops_without_meta_kernels_in_libtorch_1_13_run_through_equal_expressions()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Randn([2, 3, 8, 8], device: Device.Meta).RequiresGrad_();
        var w = Torch.Randn([5, 3, 3, 3], device: Device.Meta).RequiresGrad_();
        var b = Torch.Randn([5], device: Device.Meta).RequiresGrad_();
        var y = F.Conv2d(x, w, b, stride: 2, padding: 1);
        Assert.Equal(new long[] { 2, 5, 4, 4 }, y.Shape);
        var stats = (Torch.Zeros([5], device: Device.Meta), Torch.Ones([5], device: Device.Meta));
        var n = F.BatchNorm(y, stats.Item1, stats.Item2, Torch.Ones([5], device: Device.Meta), Torch.Zeros([5], device: Device.Meta), training: true);
        Assert.Equal(y.Shape, n.Shape);
        var z = n.Relu().Abs().LogSigmoid();
        Assert.Equal(y.Shape, z.Shape);
        Assert.Empty(z.Max().Shape);
        Assert.Empty(z.Min().Shape);
        (z.Sum() + z.Max()).Backward();
        foreach (var p in new[] { x, w, b })
        {
            using var g = p.Grad!;
            Assert.Equal(p.Shape, g.Shape);
            Assert.Equal(Device.Meta, g.Device);
        }
        // The CPU path is untouched: the same ops keep their values.
        var c = Torch.FromArray(new[] { -2f, 0.5f }, 2);
        Assert.Equal(new[] { 2f, 0.5f }, c.Abs().ToFloatArray());
        Assert.Equal(new[] { 0f, 0.5f }, c.Relu().ToFloatArray());
        Assert.Equal(0.5f, c.Max().ItemFloat());
    }

    [Fact]
    public void Modules_and_optimizers_move_to_meta_and_step_there()
    {
        using var net = new Sequential(new Conv2d(3, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d((1, 1)),
            new Flatten(), new Linear(4, 2));
        using var opt = new SGD(net.Parameters(), 0.1, momentum: 0.9);
        net.To(Device.Meta);
        Assert.All(net.Parameters(), p => Assert.Equal(Device.Meta, p.Device));
        Assert.All(net.Buffers(), b => Assert.Equal(Device.Meta, b.Device));
        using var scope = Torch.NewScope();
        var y = net.Forward(Torch.Randn([2, 3, 8, 8], device: Device.Meta));
        Assert.Equal(new long[] { 2, 2 }, y.Shape);
        y.Square().Mean().Backward();
        opt.Step();
        Assert.All(net.Parameters(), p => Assert.Equal(Device.Meta, p.Device));
    }
}
