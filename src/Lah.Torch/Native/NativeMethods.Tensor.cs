using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

/// <summary>P/Invoke declarations for src/Lah.Native (one partial file per native area). Every call returns a status
/// that <see cref="Status.Check"/> turns into a <see cref="LahNativeException"/>.</summary>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = "lahnative";

    // Debian's libtorch runs on one thread unless told otherwise: default to the machine's cores (LAH_NUM_THREADS overrides).
    static NativeMethods()
    {
        OpenMpDefaults.Apply(); // before the first call loads libtorch and, with it, the OpenMP runtime
        var env = Environment.GetEnvironmentVariable("LAH_NUM_THREADS");
        int n = int.TryParse(env, out var v) && v > 0 ? v : Environment.ProcessorCount;
        lah_set_num_threads(n);
    }

    [DllImport(Lib)] internal static extern IntPtr lah_last_error();
    [DllImport(Lib)] internal static extern int lah_tensor_dispose(IntPtr t);
    [DllImport(Lib)] internal static extern int lah_tensor_from_data(void* data, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_copy_to(IntPtr t, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern int lah_tensor_ndim(IntPtr t, out int result);
    [DllImport(Lib)] internal static extern int lah_tensor_shape(IntPtr t, long* result);
    [DllImport(Lib)] internal static extern int lah_tensor_dtype(IntPtr t, out int result);
    [DllImport(Lib)] internal static extern int lah_tensor_device(IntPtr t, out int type, out int index);
    [DllImport(Lib)] internal static extern int lah_tensor_to(IntPtr t, int dtype, int deviceType, int deviceIndex, out IntPtr result);

    [DllImport(Lib)] internal static extern int lah_tensor_unary(IntPtr t, UnaryOp op, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_scalar_op(IntPtr t, ScalarOp op, double a, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_binary(IntPtr a, IntPtr b, BinaryOp op, double alpha, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_reduce(IntPtr t, ReduceOp op, long* dims, int ndims, [MarshalAs(UnmanagedType.U1)] bool keepdim, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_norm(IntPtr t, double p, long* dims, int ndims, [MarshalAs(UnmanagedType.U1)] bool keepdim, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_max_dim(IntPtr t, long dim, [MarshalAs(UnmanagedType.U1)] bool keepdim, int isMin, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern int lah_tensor_argmax(IntPtr t, long dim, [MarshalAs(UnmanagedType.U1)] bool keepdim, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_clamp(IntPtr t, double min, double max, [MarshalAs(UnmanagedType.U1)] bool hasMin, [MarshalAs(UnmanagedType.U1)] bool hasMax, [MarshalAs(UnmanagedType.U1)] bool inplace, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_where(IntPtr cond, IntPtr a, IntPtr b, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_addmm(IntPtr bias, IntPtr a, IntPtr b, double beta, double alpha, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_shape_op(IntPtr t, ShapeOp op, long* v, int n, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_int_op(IntPtr t, IntOp op, long a, long b, long c, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_slice(IntPtr t, long dim, long start, long end, long step, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_index_op(IntPtr t, int op, long dim, IntPtr index, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_masked_fill(IntPtr t, IntPtr mask, double value, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_join(IntPtr* ts, int n, int op, long dim, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_inplace_binary_(IntPtr t, IntPtr other, InPlaceOp op, double alpha);
    [DllImport(Lib)] internal static extern int lah_tensor_inplace_scalar_(IntPtr t, InPlaceScalarOp op, double a, double b);
    [DllImport(Lib)] internal static extern int lah_tensor_addc_(IntPtr t, IntPtr a, IntPtr b, double value, int op);

    [DllImport(Lib)] internal static extern int lah_tensor_factory(FactoryOp op, long* shape, int ndim, double value, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_eye(long n, long m, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_randperm(long n, int deviceType, int deviceIndex, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_tensor_bernoulli(IntPtr p, out IntPtr result);
}
