using Lah.Torch.Native;

namespace Lah.Torch;

/// <summary>Disables autograd recording on this thread until disposed, then restores the previous mode.</summary>
public sealed class NoGradGuard : IDisposable
{
    private readonly bool _previous;
    private bool _disposed;

    internal NoGradGuard(bool enabled = false) => Status.Check(NativeMethods.lah_autograd_set_grad_enabled(enabled, out _previous));

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Status.Check(NativeMethods.lah_autograd_set_grad_enabled(_previous, out _));
    }
}
