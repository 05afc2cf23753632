using Lah.Torch.Native;

namespace Lah.Torch;

public enum DeviceType { CPU = 0, CUDA = 1 }

/// <summary>Where a tensor lives. CUDA is a choice, never assumed: asking for it without a CUDA libtorch and GPU throws.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static Device CPU { get; } = new(DeviceType.CPU);

    public static Device Cuda(int index = 0) => new(DeviceType.CUDA, index);

    public static int CudaDeviceCount
    {
        get
        {
            Status.Check(NativeMethods.lah_cuda_device_count(out var n));
            return n;
        }
    }

    public static bool CudaAvailable => CudaDeviceCount > 0;

    /// <summary>"cpu", "cuda", "cuda:N" (case-insensitive).</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda") return Cuda();
        if (s.StartsWith("cuda:") && int.TryParse(s.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new FormatException($"device '{text}': expected 'cpu', 'cuda' or 'cuda:N'");
    }

    /// <summary>Throws a clear error when this device cannot be used here (e.g. CUDA on a CPU-only libtorch).</summary>
    public void EnsureAvailable()
    {
        if (Type == DeviceType.CPU) return;
        int n = CudaDeviceCount;
        if (n == 0)
            throw new InvalidOperationException(
                $"device {this} was requested but CUDA is not available: this libtorch has no CUDA support or no GPU is " +
                "visible. Build against a CUDA libtorch (LIBTORCH=/path/to/libtorch dotnet fsi build.fsx build) or use 'cpu'.");
        if (Index >= n) throw new InvalidOperationException($"device {this} was requested but only {n} CUDA device(s) are visible");
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}
