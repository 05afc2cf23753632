using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

// src/Lah.Native/LahDistributed.cpp: c10d's TCPStore and Gloo process group.
internal static unsafe partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int lah_dist_gloo_available([MarshalAs(UnmanagedType.U1)] out bool result);
    [DllImport(Lib)] internal static extern int lah_dist_store_tcp([MarshalAs(UnmanagedType.LPUTF8Str)] string host, int port, int worldSize, [MarshalAs(UnmanagedType.U1)] bool isMaster, long timeoutMs, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_dist_store_dispose(IntPtr store);
    [DllImport(Lib)] internal static extern int lah_dist_gloo_new(IntPtr store, int rank, int size, long timeoutMs, [MarshalAs(UnmanagedType.LPUTF8Str)] string? hostname, [MarshalAs(UnmanagedType.LPUTF8Str)] string? interfaceName, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_dist_pg_dispose(IntPtr pg);
    [DllImport(Lib)] internal static extern int lah_dist_allreduce(IntPtr pg, IntPtr* tensors, int n, int op);
    [DllImport(Lib)] internal static extern int lah_dist_broadcast(IntPtr pg, IntPtr* tensors, int n, int root);
    [DllImport(Lib)] internal static extern int lah_dist_allgather(IntPtr pg, IntPtr input, out IntPtr result);
    [DllImport(Lib)] internal static extern int lah_dist_barrier(IntPtr pg);
}

/// <summary>Owns one heap <c>c10::intrusive_ptr&lt;c10d::Store&gt;*</c>.</summary>
internal sealed class StoreHandle : SafeHandle
{
    internal StoreHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.lah_dist_store_dispose(handle) == 0;
}

/// <summary>Owns one heap <c>c10::intrusive_ptr&lt;c10d::ProcessGroupGloo&gt;*</c>.</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    internal ProcessGroupHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.lah_dist_pg_dispose(handle) == 0;
}
