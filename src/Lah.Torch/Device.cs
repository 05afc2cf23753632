using Lah.Torch.Native;

namespace Lah.Torch;

/// <summary>The shim's device codes. <see cref="Meta"/> is libtorch's storage-less device: shapes, dtypes and
/// device placement without data, so GPU code paths are testable on any machine.</summary>
public enum DeviceType { CPU = 0, CUDA = 1, Meta = 2 }

/// <summary>Where a tensor lives. CUDA is a choice, never assumed: asking for it without a CUDA libtorch and GPU throws.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static Device CPU { get; } = new(DeviceType.CPU);

    public static Device Cuda(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>libtorch's meta device: tensors with shape and dtype but no storage (reading their values throws).</summary>
    public static Device Meta { get; } = new(DeviceType.Meta);

    public static int CudaDeviceCount
    {
        get
        {
            Status.Check(NativeMethods.lah_cuda_device_count(out var n));
            return n;
        }
    }

    public static bool CudaAvailable => CudaDeviceCount > 0;

    /// <summary>"cpu", "cuda", "cuda:N", "meta" (case-insensitive).</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda") return Cuda();
        if (s == "meta") return Meta;
        if (s.StartsWith("cuda:") && int.TryParse(s.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new FormatException($"device '{text}': expected 'cpu', 'cuda', 'cuda:N' or 'meta'");
    }

    /// <summary>Throws a clear error when this device cannot be used here (e.g. CUDA on a CPU-only libtorch).</summary>
    public void EnsureAvailable()
    {
        if (Type is DeviceType.CPU or DeviceType.Meta) return;
        int n = CudaDeviceCount;
        if (n == 0)
            throw new InvalidOperationException(
                $"device {this} was requested but CUDA is not available: this libtorch has no CUDA support or no GPU is " +
                "visible. Build against a CUDA libtorch (LIBTORCH=/path/to/libtorch dotnet fsi build.fsx build) or use 'cpu'.");
        if (Index >= n) throw new InvalidOperationException($"device {this} was requested but only {n} CUDA device(s) are visible");
    }

    public override string ToString() => Type switch
    {
        DeviceType.CPU => "cpu",
        DeviceType.Meta => "meta",
        _ => $"cuda:{Index}",
    };
}
