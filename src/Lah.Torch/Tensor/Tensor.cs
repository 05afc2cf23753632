using System.Runtime.InteropServices;
using Lah.Torch.Native;

namespace Lah.Torch;

/// <summary>
/// A libtorch tensor. The native handle is owned: <see cref="Dispose"/> frees it at once (the SafeHandle's finalizer is
/// only a safety net). A tensor created while a <see cref="DisposeScope"/> is open belongs to that scope.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private static long _live;
    private readonly TensorHandle _handle;
    private long[]? _shape;

    internal DisposeScope? OwningScope { get; set; }

    internal Tensor(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw new ArgumentException("null tensor handle");
        _handle = new TensorHandle(handle);
        Interlocked.Increment(ref _live);
        DisposeScope.Current?.Register(this);
    }

    /// <summary>Tensors created and not yet disposed (process-wide); tests use it to prove scopes free everything.</summary>
    public static long LiveCount => Interlocked.Read(ref _live);

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    public bool IsDisposed => _handle.IsClosed;

    public void Dispose()
    {
        if (_handle.IsClosed) return;
        OwningScope?.Unregister(this);
        _handle.Dispose();
        Interlocked.Decrement(ref _live);
    }

    internal static Tensor Wrap(int rc, IntPtr result)
    {
        Status.Check(rc);
        return new Tensor(result);
    }

    /// <summary>Moves this tensor from its scope to the enclosing one (or out of all scopes) and returns it.</summary>
    public Tensor MoveToOuterScope() => OwningScope?.Keep(this) ?? this;

    /// <summary>Takes this tensor out of every scope: it then lives until disposed explicitly.</summary>
    public Tensor DetachFromScopes()
    {
        OwningScope?.Unregister(this);
        return this;
    }

    public unsafe long[] Shape
    {
        get
        {
            if (_shape is not null) return (long[])_shape.Clone();
            Status.Check(NativeMethods.lah_tensor_ndim(Handle, out var nd));
            var s = new long[nd];
            fixed (long* p = s) Status.Check(NativeMethods.lah_tensor_shape(Handle, p));
            _shape = s;
            return (long[])s.Clone();
        }
    }

    public int Dim => Shape.Length;

    public long NumEl => Shape.Aggregate(1L, (a, b) => a * b);

    public long Size(int dim) => Shape[dim < 0 ? dim + Dim : dim];

    public DType DType
    {
        get
        {
            Status.Check(NativeMethods.lah_tensor_dtype(Handle, out var d));
            return (DType)d;
        }
    }

    public Device Device
    {
        get
        {
            Status.Check(NativeMethods.lah_tensor_device(Handle, out var t, out var i));
            return t == (int)DeviceType.Meta ? Device.Meta : new Device((DeviceType)t, i);
        }
    }

    /// <summary>Copies the elements (row-major) into a new array; <typeparamref name="T"/> must match <see cref="DType"/>'s size.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        var dt = DType;
        EnsureHasData($"ToArray<{typeof(T).Name}>");
        if (sizeof(T) != dt.ElementSize())
            throw new InvalidOperationException($"ToArray<{typeof(T).Name}> on a {dt} tensor: element sizes differ");
        var result = new T[NumEl];
        fixed (T* p = result) Status.Check(NativeMethods.lah_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    public float[] ToFloatArray() => ConvertedTo(DType.Float32, t => t.ToArray<float>());
    public double[] ToDoubleArray() => ConvertedTo(DType.Float64, t => t.ToArray<double>());
    public long[] ToLongArray() => ConvertedTo(DType.Int64, t => t.ToArray<long>());
    public bool[] ToBoolArray() => ConvertedTo(DType.Bool, t => t.ToArray<bool>());

    /// <summary>Throws naming <paramref name="what"/> when this tensor has no values to read (the meta device).</summary>
    internal void EnsureHasData(string what)
    {
        if (Device.Type == DeviceType.Meta)
            throw new InvalidOperationException(
                $"{what}: tensor [{string.Join(',', Shape)}] {DType} is on the meta device, which holds shapes but no values");
    }

    private T[] ConvertedTo<T>(DType dtype, Func<Tensor, T[]> read)
    {
        EnsureHasData(typeof(T) == typeof(float) ? "ToFloatArray" : typeof(T) == typeof(double) ? "ToDoubleArray" : $"To{typeof(T).Name}Array");
        if (DType == dtype) return read(this);
        using var c = To(dtype);
        return read(c);
    }

    public float ItemFloat() => SingleItem("ItemFloat", ToFloatArray);
    public double ItemDouble() => SingleItem("ItemDouble", ToDoubleArray);
    public long ItemLong() => SingleItem("ItemLong", ToLongArray);

    private T SingleItem<T>(string what, Func<T[]> read)
    {
        EnsureHasData(what);
        var values = read();
        return values.Length == 1 ? values[0] : throw new InvalidOperationException($"Item() needs a one-element tensor, this one has {values.Length}");
    }

    public Tensor To(Device device) => Wrap(NativeMethods.lah_tensor_to(Handle, -1, (int)device.Type, device.Index, out var r), r);
    public Tensor To(DType dtype) => Wrap(NativeMethods.lah_tensor_to(Handle, (int)dtype, -1, 0, out var r), r);
    public Tensor To(Device device, DType dtype) => Wrap(NativeMethods.lah_tensor_to(Handle, (int)dtype, (int)device.Type, device.Index, out var r), r);
    public Tensor Cpu() => To(Device.CPU);

    public override string ToString()
    {
        var shape = string.Join("×", Shape);
        if (NumEl > 16 || IsDisposed || Device.Type == DeviceType.Meta) return $"Tensor[{shape}, {DType}, {Device}]";
        return $"Tensor[{shape}, {DType}, {Device}] {{{string.Join(", ", ToDoubleArray().Select(v => v.ToString("G6")))}}}";
    }
}
