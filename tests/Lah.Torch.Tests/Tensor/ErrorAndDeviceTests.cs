using System.Runtime.InteropServices;
using Xunit;

namespace Lah.Torch.Tests.Tensors;

public class ErrorAndDeviceTests
{
    [Fact]
    public void ShapeMismatchRaisesWithLibtorchsMessage()
    {
        using var scope = Torch.NewScope();
        var a = Torch.Ones([2, 3]);
        var b = Torch.Ones([4, 5]);
        var e = Assert.Throws<LahNativeException>(() => a.MatMul(b));
        Assert.Equal(-1, e.Status);
        Assert.Contains("cannot be multiplied", e.Message);
        var e2 = Assert.Throws<LahNativeException>(() => a + Torch.Ones([4]));
        Assert.Contains("must match", e2.Message);
        // The process is intact after native errors.
        Assert.Equal(6f, a.Sum().ItemFloat());
    }

    [Fact]
    public void AskingForCudaWithoutItIsAClearError()
    {
        if (Device.CudaAvailable) return; // exercised by the Gpu-tagged tests instead
        Assert.Equal(0, Device.CudaDeviceCount);
        var e = Assert.Throws<LahNativeException>(() => Torch.Zeros([2], device: Device.Cuda()));
        Assert.Contains("CUDA", e.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => Torch.FromArray(new[] { 1f }, [1]).Let(_ => Torch.FromSpan<float>(new[] { 1f }, [1], DType.Float32, Device.Cuda(0))));
        Assert.Contains("CUDA is not available", e2.Message);
        using var t = Torch.Ones([1]);
        Assert.Throws<LahNativeException>(() => t.To(Device.Cuda(0)));
    }

    [Theory]
    [InlineData("cpu", DeviceType.CPU, 0)]
    [InlineData("CUDA", DeviceType.CUDA, 0)]
    [InlineData("cuda:3", DeviceType.CUDA, 3)]
    public void DevicesParse(string text, DeviceType type, int index)
    {
        var d = Device.Parse(text);
        Assert.Equal(new Device(type, index), d);
        Assert.Equal(type == DeviceType.CPU ? "cpu" : $"cuda:{index}", d.ToString());
    }

    [Fact]
    public void BadDeviceTextNamesTheExpectedForms() =>
        Assert.Contains("cuda:N", Assert.Throws<FormatException>(() => Device.Parse("gpu0")).Message);

    [Fact]
    public void ThreadCountDefaultsToTheMachineCores()
    {
        if (Environment.GetEnvironmentVariable("LAH_NUM_THREADS") is { Length: > 0 }) return;
        Assert.Equal(Environment.ProcessorCount, Torch.GetNumThreads());
        Assert.Matches(@"^\d+\.\d+\.\d+$", Torch.Version);
    }

    [Fact]
    public void OpenMpThreadsWaitPassivelyUnlessTheUserChose()
    {
        var policy = Torch.OpenMpWaitPolicy; // loads libtorch
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { Length: > 0 }) return;
        Assert.NotNull(policy);
        // The OpenMP runtime reads libc's environment, not .NET's copy of it.
        Assert.Equal(policy, Marshal.PtrToStringUTF8(getenv("OMP_WAIT_POLICY")));
    }

    [DllImport("libc")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [Fact]
    [Trait("Category", "Gpu")]
    public void CudaRoundTrip()
    {
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new[] { 1f, 2f }).To(Device.Cuda());
        Assert.Equal(Device.Cuda(), x.Device);
        Assert.Equal(new[] { 2f, 4f }, (x * 2.0).Cpu().ToFloatArray());
    }
}

internal static class LetExtension
{
    public static TOut Let<TIn, TOut>(this TIn x, Func<TIn, TOut> f) => f(x);
}
