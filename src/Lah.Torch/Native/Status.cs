using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

/// <summary>Turns the native status code into an exception carrying libtorch's own message.</summary>
internal static class Status
{
    internal static void Check(int rc)
    {
        if (rc != 0) throw new LahNativeException(rc, Marshal.PtrToStringUTF8(NativeMethods.lah_last_error()) ?? "");
    }
}
