using Lah.Torch.Native;

namespace Lah.Torch;

/// <summary>
/// A random-number generator of its own (PyTorch's <c>torch.Generator</c>, CPU): every draw that takes one — factories,
/// in-place fills, initialisers, dropout — advances only this stream, so a model or trainer that owns one is not
/// disturbed by other code drawing from libtorch's process-global generator (<see cref="Torch.ManualSeed"/>), and two
/// runs can share a process. Same seed, same stream: <c>new Generator(s)</c> draws exactly what the global generator
/// draws after <c>Torch.ManualSeed(s)</c>. Draws for tensors on other devices are made on the CPU and copied. The native
/// generator is owned: <see cref="Dispose"/> frees it (the finalizer is only a safety net). Draws on one generator from
/// several threads are serialised by libtorch, but their order is then unspecified: give each thread its own.
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly GeneratorHandle _handle;

    public Generator(long seed)
    {
        Status.Check(NativeMethods.lah_generator_new(unchecked((ulong)seed), out var h));
        _handle = new GeneratorHandle(h);
    }

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>The native handle of <paramref name="generator"/>, or null for libtorch's default generator.</summary>
    internal static IntPtr HandleOf(Generator? generator) => generator?.Handle ?? IntPtr.Zero;

    public Device Device => Device.CPU;

    /// <summary>The seed last set (at construction or by <see cref="ManualSeed"/>).</summary>
    public long Seed
    {
        get
        {
            Status.Check(NativeMethods.lah_generator_initial_seed(Handle, out var s));
            return unchecked((long)s);
        }
    }

    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Restarts the stream from <paramref name="seed"/>; returns this.</summary>
    public Generator ManualSeed(long seed)
    {
        Status.Check(NativeMethods.lah_generator_manual_seed(Handle, unchecked((ulong)seed)));
        return this;
    }

    /// <summary>The full state (uint8 tensor, caller owns), for checkpoints that must resume bit-exactly.</summary>
    public Tensor GetState() => Tensor.Wrap(NativeMethods.lah_generator_get_state(Handle, out var r), r);

    /// <summary>Restores a state from <see cref="GetState"/>: the stream continues exactly from there.</summary>
    public void SetState(Tensor state) => Status.Check(NativeMethods.lah_generator_set_state(Handle, state.Handle));

    public void Dispose() => _handle.Dispose();
}
