using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

// src/Lah.Native/LahRandom.cpp: a null generator means libtorch's default (process-global) one.
internal static unsafe partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int lah_generator_new(ulong seed, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_generator_dispose(IntPtr g);
    [DllImport(Lib)] internal static extern int lah_generator_manual_seed(IntPtr g, ulong seed);
    [DllImport(Lib)] internal static extern int lah_generator_initial_seed(IntPtr g, out ulong seed);
    [DllImport(Lib)] internal static extern int lah_generator_get_state(IntPtr g, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_generator_set_state(IntPtr g, IntPtr state);
    [DllImport(Lib)] internal static extern int lah_random_tensor(RandomOp op, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, IntPtr g, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_random_randperm(long n, int deviceType, int deviceIndex, IntPtr g, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_random_bernoulli(IntPtr p, IntPtr g, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_random_fill_(IntPtr t, RandomFillOp op, double a, double b, IntPtr g);
    [DllImport(Lib)] internal static extern int lah_random_dropout(IntPtr x, double p, [MarshalAs(UnmanagedType.U1)] bool training, IntPtr g, out IntPtr result);
}

// Op codes shared with src/Lah.Native/LahRandom.cpp.
internal enum RandomOp { Rand, Randn }
internal enum RandomFillOp { Uniform, Normal, Bernoulli }

/// <summary>Owns one heap <c>at::Generator*</c>; released exactly once, by Dispose or (as a safety net) the finalizer.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    internal GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.lah_generator_dispose(handle) == 0;
}
