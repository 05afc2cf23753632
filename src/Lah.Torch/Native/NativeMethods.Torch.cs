using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int lah_torch_version(out int major, out int minor, out int patch);
    [DllImport(Lib)] internal static extern int lah_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int lah_rng_get_state(out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_rng_set_state(IntPtr state);
    [DllImport(Lib)] internal static extern int lah_cuda_rng_get_state(int deviceIndex, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_cuda_rng_set_state(int deviceIndex, IntPtr state);
    [DllImport(Lib)] internal static extern int lah_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int lah_get_num_threads(out int n);
    [DllImport(Lib)] internal static extern int lah_cuda_device_count(out int n);

    [DllImport(Lib)] internal static extern int lah_autograd_set_requires_grad(IntPtr t, [MarshalAs(UnmanagedType.U1)] bool value);
    [DllImport(Lib)] internal static extern int lah_autograd_requires_grad(IntPtr t, [MarshalAs(UnmanagedType.U1)] out bool result);
    [DllImport(Lib)] internal static extern int lah_autograd_is_leaf(IntPtr t, [MarshalAs(UnmanagedType.U1)] out bool result);
    [DllImport(Lib)] internal static extern int lah_autograd_grad(IntPtr t, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_autograd_zero_grad(IntPtr t, [MarshalAs(UnmanagedType.U1)] bool setToNone);
    [DllImport(Lib)] internal static extern int lah_autograd_set_grad(IntPtr t, IntPtr grad);
    [DllImport(Lib)] internal static extern int lah_autograd_backward(IntPtr t, IntPtr gradient, [MarshalAs(UnmanagedType.U1)] bool retainGraph);
    [DllImport(Lib)] internal static extern int lah_autograd_set_grad_enabled([MarshalAs(UnmanagedType.U1)] bool enabled, [MarshalAs(UnmanagedType.U1)] out bool previous);

    [DllImport(Lib)] internal static extern int lah_nn_linear(IntPtr x, IntPtr w, IntPtr b, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_nn_conv2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, long groups, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_nn_batch_norm(IntPtr x, IntPtr w, IntPtr b, IntPtr rm, IntPtr rv, [MarshalAs(UnmanagedType.U1)] bool training, double momentum, double eps, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_nn_max_pool2d(IntPtr x, long* kernel, long* stride, long* padding, long* dilation, [MarshalAs(UnmanagedType.U1)] bool ceilMode, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_nn_adaptive_pool2d(IntPtr x, long* size, int op, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_nn_dropout(IntPtr x, double p, [MarshalAs(UnmanagedType.U1)] bool training, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_nn_upsample_bilinear2d(IntPtr x, long* size, [MarshalAs(UnmanagedType.U1)] bool alignCorners, [MarshalAs(UnmanagedType.U1)] bool antialias, out IntPtr result);
}
