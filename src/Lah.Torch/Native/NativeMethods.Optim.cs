using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

// src/Lah.Native/LahOptim.cpp: helpers for nn modules and optimizers.
internal static unsafe partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int lah_tensor_set_data(IntPtr t, IntPtr src);
    [DllImport(Lib)] internal static extern int lah_tensor_add_int_(IntPtr t, long v);
}
