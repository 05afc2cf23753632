using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

/// <summary>Owns one heap <c>at::Tensor*</c>; released exactly once, by Dispose or (as a safety net) the finalizer.</summary>
internal sealed class TensorHandle : SafeHandle
{
    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.lah_tensor_dispose(handle) == 0;
}
