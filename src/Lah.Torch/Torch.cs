using System.Runtime.InteropServices;
using Lah.Torch.Native;

namespace Lah.Torch;

/// <summary>Tensor factories, random numbers, scopes and process-wide settings.</summary>
public static unsafe class Torch
{
    public static string Version
    {
        get
        {
            Status.Check(NativeMethods.lah_torch_version(out var a, out var b, out var c));
            return $"{a}.{b}.{c}";
        }
    }

    public static DisposeScope NewScope() => new();

    /// <summary>Disables gradient recording on this thread until the guard is disposed.</summary>
    public static IDisposable NoGrad() => new NoGradGuard(false);

    /// <summary>Re-enables gradient recording inside a <see cref="NoGrad"/> block.</summary>
    public static IDisposable EnableGrad() => new NoGradGuard(true);

    public static long LiveTensorCount => Tensor.LiveCount;

    /// <summary>
    /// Seeds libtorch's process-global generators (CPU and every CUDA device): every draw without an explicit
    /// <see cref="Generator"/> comes from them, including other threads' (parallel tests, other runs in the process),
    /// so a seeded global stream only repeats when nothing else in the process draws. Code that must repeat takes a
    /// <see cref="Generator"/>.
    /// </summary>
    public static void ManualSeed(long seed) => Status.Check(NativeMethods.lah_manual_seed(unchecked((ulong)seed)));

    /// <summary>The global CPU generator's state (uint8 tensor), for checkpoints that must resume bit-exactly.</summary>
    public static Tensor GetRngState() => Tensor.Wrap(NativeMethods.lah_rng_get_state(out var r), r);

    public static void SetRngState(Tensor state) => Status.Check(NativeMethods.lah_rng_set_state(state.Handle));

    /// <summary>The default CUDA generator's state of <paramref name="device"/> (uint8 tensor); throws without CUDA.</summary>
    public static Tensor GetCudaRngState(int device = 0) => Tensor.Wrap(NativeMethods.lah_cuda_rng_get_state(device, out var r), r);

    public static void SetCudaRngState(Tensor state, int device = 0) =>
        Status.Check(NativeMethods.lah_cuda_rng_set_state(device, state.Handle));

    public static void SetNumThreads(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "thread count must be at least 1");
        Status.Check(NativeMethods.lah_set_num_threads(n));
    }

    public static int GetNumThreads()
    {
        Status.Check(NativeMethods.lah_get_num_threads(out var n));
        return n;
    }

    /// <summary>
    /// The OpenMP wait policy libtorch's threads run under: the user's OMP_WAIT_POLICY, else PASSIVE, which this
    /// library sets before libtorch loads unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is given (spinning OpenMP threads
    /// starve OpenBLAS's: a matmul forward + backward runs 3× slower on 2 cores); null when GOMP_SPINCOUNT decides.
    /// </summary>
    public static string? OpenMpWaitPolicy
    {
        get
        {
            Status.Check(NativeMethods.lah_get_num_threads(out _)); // the library (and its policy) is loaded by now
            return OpenMpDefaults.Policy;
        }
    }

    // ---- from host data -------------------------------------------------------------------------------------------

    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, DType dtype, Device? device = null) where T : unmanaged
    {
        if (sizeof(T) != dtype.ElementSize())
            throw new ArgumentException($"{typeof(T).Name} elements cannot hold {dtype} ({dtype.ElementSize()} bytes)");
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (n != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {n} elements, got {data.Length}");
        var dev = device ?? Device.CPU;
        if (dev.Type != DeviceType.CPU) dev.EnsureAvailable();
        fixed (T* p = data)
        fixed (long* s = shape)
            return Tensor.Wrap(NativeMethods.lah_tensor_from_data(p, s, shape.Length, (int)dtype, (int)dev.Type, dev.Index, out var r), r);
    }

    private static long[] ShapeOrVector(long[] shape, int length) => shape.Length == 0 ? [length] : shape;

    /// <summary>A tensor copied from <paramref name="data"/>; with no shape, a vector.</summary>
    public static Tensor FromArray(float[] data, params long[] shape) => FromSpan<float>(data, ShapeOrVector(shape, data.Length), DType.Float32);
    public static Tensor FromArray(double[] data, params long[] shape) => FromSpan<double>(data, ShapeOrVector(shape, data.Length), DType.Float64);
    public static Tensor FromArray(long[] data, params long[] shape) => FromSpan<long>(data, ShapeOrVector(shape, data.Length), DType.Int64);
    public static Tensor FromArray(int[] data, params long[] shape) => FromSpan<int>(data, ShapeOrVector(shape, data.Length), DType.Int32);
    public static Tensor FromArray(byte[] data, params long[] shape) => FromSpan<byte>(data, ShapeOrVector(shape, data.Length), DType.UInt8);
    public static Tensor FromArray(bool[] data, params long[] shape) => FromSpan<bool>(data, ShapeOrVector(shape, data.Length), DType.Bool);
    public static Tensor FromArray(Half[] data, params long[] shape) => FromSpan<Half>(data, ShapeOrVector(shape, data.Length), DType.Float16);

    /// <summary>A zero-dimensional tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) =>
        Full([], value, dtype, device);

    // ---- factories ------------------------------------------------------------------------------------------------

    private static Tensor Factory(FactoryOp op, long[] shape, double value, DType dtype, Device? device)
    {
        var dev = device ?? Device.CPU;
        fixed (long* s = shape)
            return Tensor.Wrap(NativeMethods.lah_tensor_factory(op, s, shape.Length, value, (int)dtype, (int)dev.Type, dev.Index, out var r), r);
    }

    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryOp.Zeros, shape, 0, dtype, device);
    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryOp.Ones, shape, 0, dtype, device);
    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryOp.Full, shape, value, dtype, device);
    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryOp.Empty, shape, 0, dtype, device);
    /// <summary>Uniform on [0, 1).</summary>
    public static Tensor Rand(long[] shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryOp.Rand, shape, 0, dtype, device);
    /// <summary>Standard normal.</summary>
    public static Tensor Randn(long[] shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryOp.Randn, shape, 0, dtype, device);

    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType, t.Device);
    public static Tensor OnesLike(Tensor t) => Ones(t.Shape, t.DType, t.Device);
    public static Tensor RandnLike(Tensor t) => Randn(t.Shape, t.DType, t.Device);
    public static Tensor FullLike(Tensor t, double value) => Full(t.Shape, value, t.DType, t.Device);

    public static Tensor Eye(long n, long? m = null, DType dtype = DType.Float32, Device? device = null)
    {
        var dev = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.lah_tensor_eye(n, m ?? n, (int)dtype, (int)dev.Type, dev.Index, out var r), r);
    }

    public static Tensor Arange(long end, DType dtype = DType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var dev = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.lah_tensor_arange(start, end, step, (int)dtype, (int)dev.Type, dev.Index, out var r), r);
    }

    /// <summary>A random permutation of 0..n-1 (int64), from the seeded generator.</summary>
    public static Tensor RandPerm(long n, Device? device = null)
    {
        var dev = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.lah_tensor_randperm(n, (int)dev.Type, dev.Index, out var r), r);
    }

    /// <summary>0/1 draws with the probabilities in <paramref name="p"/>.</summary>
    public static Tensor Bernoulli(Tensor p) => Tensor.Wrap(NativeMethods.lah_tensor_bernoulli(p.Handle, out var r), r);

    // ---- draws from an explicit generator (null: the global one) ----------------------------------------------------

    private static Tensor Random(RandomOp op, long[] shape, Generator? generator, DType dtype, Device? device)
    {
        var dev = device ?? Device.CPU;
        fixed (long* s = shape)
            return Tensor.Wrap(NativeMethods.lah_random_tensor(op, s, shape.Length, (int)dtype, (int)dev.Type, dev.Index,
                Generator.HandleOf(generator), out var r), r);
    }

    /// <summary>Uniform on [0, 1), drawn from <paramref name="generator"/>.</summary>
    public static Tensor Rand(long[] shape, Generator? generator, DType dtype = DType.Float32, Device? device = null) =>
        Random(RandomOp.Rand, shape, generator, dtype, device);

    /// <summary>Standard normal, drawn from <paramref name="generator"/>.</summary>
    public static Tensor Randn(long[] shape, Generator? generator, DType dtype = DType.Float32, Device? device = null) =>
        Random(RandomOp.Randn, shape, generator, dtype, device);

    public static Tensor RandnLike(Tensor t, Generator? generator) => Randn(t.Shape, generator, t.DType, t.Device);

    /// <summary>A random permutation of 0..n-1 (int64), drawn from <paramref name="generator"/>.</summary>
    public static Tensor RandPerm(long n, Generator? generator, Device? device = null)
    {
        var dev = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.lah_random_randperm(n, (int)dev.Type, dev.Index, Generator.HandleOf(generator), out var r), r);
    }

    /// <summary>0/1 draws with the probabilities in <paramref name="p"/>, from <paramref name="generator"/>.</summary>
    public static Tensor Bernoulli(Tensor p, Generator? generator) =>
        Tensor.Wrap(NativeMethods.lah_random_bernoulli(p.Handle, Generator.HandleOf(generator), out var r), r);

    // ---- joins and selection --------------------------------------------------------------------------------------

    private static Tensor Join(IReadOnlyList<Tensor> tensors, int op, long dim)
    {
        if (tensors.Count == 0) throw new ArgumentException("expected at least one tensor", nameof(tensors));
        var handles = new IntPtr[tensors.Count];
        for (int i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
        fixed (IntPtr* h = handles) return Tensor.Wrap(NativeMethods.lah_tensor_join(h, handles.Length, op, dim, out var r), r);
    }

    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, 0, dim);
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, 1, dim);

    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.Wrap(NativeMethods.lah_tensor_where(condition.Handle, a.Handle, b.Handle, out var r), r);

    /// <summary>beta·bias + alpha·(a @ b).</summary>
    public static Tensor Addmm(Tensor bias, Tensor a, Tensor b, double beta = 1, double alpha = 1) =>
        Tensor.Wrap(NativeMethods.lah_tensor_addmm(bias.Handle, a.Handle, b.Handle, beta, alpha, out var r), r);
}
