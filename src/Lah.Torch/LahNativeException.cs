namespace Lah.Torch;

/// <summary>An error raised inside libtorch (or the shim), with libtorch's message.</summary>
public sealed class LahNativeException(int status, string message)
    : Exception(string.IsNullOrEmpty(message) ? $"libtorch call failed with status {status}" : message)
{
    /// <summary>-1 libtorch (c10::Error), -2 other C++ standard exception, -3 unknown.</summary>
    public int Status { get; } = status;
}
