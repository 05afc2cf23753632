using System.Globalization;
using Lah.Torch.Native;

namespace Lah.Torch.Distributed;

/// <summary>
/// Where and how a rank joins its group: the same master address and port on every rank (rank 0 listens there), this
/// rank, the world size, and the timeout that bounds the rendezvous and every collective.
/// </summary>
public sealed record DistributedOptions(int Rank, int WorldSize, string MasterAddr = "127.0.0.1", int MasterPort = DistributedOptions.DefaultPort)
{
    /// <summary>torch.distributed's default port.</summary>
    public const int DefaultPort = 29500;

    /// <summary>Rendezvous and collective timeout: a dead or missing peer fails the call after at most this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gloo binds this network interface (GLOO_SOCKET_IFNAME, as in PyTorch) ...</summary>
    public string? GlooInterface { get; init; }

    /// <summary>... else this address or hostname; else loopback when the master is local, else this machine's hostname.</summary>
    public string? GlooHost { get; init; }

    /// <summary>torch.distributed's env:// convention: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE (and GLOO_SOCKET_IFNAME).</summary>
    public static DistributedOptions FromEnvironment()
    {
        static string Need(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
                ? v
                : throw new DistributedException($"environment variable {name} is not set (env:// initialisation needs MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE)");

        static int Int(string name)
        {
            var v = Need(name);
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
                ? i
                : throw new DistributedException($"environment variable {name}='{v}' is not an integer");
        }

        return new DistributedOptions(Int("RANK"), Int("WORLD_SIZE"), Need("MASTER_ADDR"), Int("MASTER_PORT"))
        {
            GlooInterface = Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME") is { Length: > 0 } i ? i : null,
        };
    }

    /// <summary>True when all four env:// variables are set (a launcher such as <c>lah run --nproc</c> set them).</summary>
    public static bool EnvironmentConfigured =>
        new[] { "RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT" }.All(n => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n)));

    /// <summary>The same options with another timeout (for callers without C#'s <c>with</c>).</summary>
    public DistributedOptions WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };

    internal void Validate()
    {
        if (WorldSize < 1) throw new DistributedException($"world size must be at least 1, got {WorldSize}");
        if (Rank < 0 || Rank >= WorldSize) throw new DistributedException($"rank {Rank} is outside 0..{WorldSize - 1} (world size {WorldSize})");
        if (MasterPort is < 1 or > 65535) throw new DistributedException($"master port must be in 1..65535, got {MasterPort}");
        if (string.IsNullOrWhiteSpace(MasterAddr)) throw new DistributedException("master address is empty");
        if (Timeout <= TimeSpan.Zero) throw new DistributedException($"timeout must be positive, got {Timeout}");
    }
}

/// <summary>
/// A Gloo process group over c10d (torch.distributed with the gloo backend): every rank runs the same sequence of
/// collectives, each blocking until all ranks took part. Rank 0 hosts the TCPStore used for the rendezvous.
/// CPU tensors only (CUDA tensors are staged through the CPU by the callers that need it).
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private readonly StoreHandle _store;
    private readonly ProcessGroupHandle _pg;

    public int Rank { get; }
    public int WorldSize { get; }
    public TimeSpan Timeout { get; }

    /// <summary>Whether the native library was built with Gloo's headers.</summary>
    public static bool IsAvailable
    {
        get
        {
            Status.Check(NativeMethods.lah_dist_gloo_available(out var ok));
            return ok;
        }
    }

    private ProcessGroup(StoreHandle store, ProcessGroupHandle pg, DistributedOptions o)
    {
        _store = store;
        _pg = pg;
        Rank = o.Rank;
        WorldSize = o.WorldSize;
        Timeout = o.Timeout;
    }

    /// <summary>Joins the group; blocks until every rank joined, or throws after the timeout.</summary>
    public static ProcessGroup Init(DistributedOptions options)
    {
        options.Validate();
        var ms = (long)Math.Ceiling(options.Timeout.TotalMilliseconds);
        var what = $"rank {options.Rank}/{options.WorldSize}";
        StoreHandle store;
        try
        {
            Status.Check(NativeMethods.lah_dist_store_tcp(options.MasterAddr, options.MasterPort, options.WorldSize, options.Rank == 0, ms, out var s));
            store = new StoreHandle(s);
        }
        catch (LahNativeException e)
        {
            var role = options.Rank == 0
                ? $"could not host the rendezvous on {options.MasterAddr}:{options.MasterPort} or not every rank joined within {options.Timeout.TotalSeconds:0.#} s"
                : $"could not reach the master {options.MasterAddr}:{options.MasterPort} within {options.Timeout.TotalSeconds:0.#} s";
            throw new DistributedException($"{what}: {role}: {e.Message}", e);
        }

        try
        {
            var host = options.GlooInterface is null ? options.GlooHost ?? (IsLoopback(options.MasterAddr) ? "127.0.0.1" : null) : null;
            Status.Check(NativeMethods.lah_dist_gloo_new(store.DangerousGetHandle(), options.Rank, options.WorldSize, ms, host, options.GlooInterface, out var pg));
            return new ProcessGroup(store, new ProcessGroupHandle(pg), options);
        }
        catch (LahNativeException e)
        {
            store.Dispose();
            throw new DistributedException($"{what}: connecting the Gloo process group failed: {e.Message}", e);
        }
    }

    /// <summary>Joins the group described by MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE.</summary>
    public static ProcessGroup InitFromEnvironment(TimeSpan? timeout = null)
    {
        var o = DistributedOptions.FromEnvironment();
        return Init(timeout is { } t ? o with { Timeout = t } : o);
    }

    private static bool IsLoopback(string addr) =>
        addr == "localhost" || (System.Net.IPAddress.TryParse(addr, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>Reduces every tensor element-wise across ranks, in place on every rank.</summary>
    public unsafe void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOp op = ReduceOp.Sum)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* p = handles) Check("all-reduce", NativeMethods.lah_dist_allreduce(Pg, p, handles.Length, (int)op));
        GC.KeepAlive(tensors);
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => AllReduce([tensor], op);

    /// <summary>Overwrites every tensor with the root rank's values.</summary>
    public unsafe void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        if (root < 0 || root >= WorldSize) throw new DistributedException($"broadcast root {root} is outside 0..{WorldSize - 1}");
        var handles = Handles(tensors);
        fixed (IntPtr* p = handles) Check("broadcast", NativeMethods.lah_dist_broadcast(Pg, p, handles.Length, root));
        GC.KeepAlive(tensors);
    }

    public void Broadcast(Tensor tensor, int root = 0) => Broadcast([tensor], root);

    /// <summary>
    /// Every rank's <paramref name="local"/> (CPU, [B, …]) stacked along the first dimension in rank order: a new
    /// [W·B, …] tensor, the same on every rank. Every rank must pass one shape and dtype (data-parallel slices are equal
    /// by <c>Lah.Data.BatchSharding</c>); that is checked first, so a mismatch fails naming the shapes instead of
    /// waiting out the timeout inside Gloo. Not differentiable (see <see cref="DataParallel.GatherBatch"/>).
    /// </summary>
    public Tensor AllGather(Tensor local)
    {
        var shape = local.Shape;
        if (shape.Length == 0) throw new DistributedException($"rank {Rank}/{WorldSize}: all-gather needs a tensor with a first (row) dimension, got a scalar");
        if (local.Device.Type != DeviceType.CPU) throw new DistributedException($"rank {Rank}/{WorldSize}: all-gather: Gloo works on CPU tensors, this one is on {local.Device}");
        long rows = shape[0], row = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var (min, max) = RangeOverRanks([rows, row, shape.Length, (long)local.DType]);
        if (!min.AsSpan().SequenceEqual(max))
            throw new DistributedException(
                $"rank {Rank}/{WorldSize}: all-gather needs one shape on every rank, but the ranks hold {Range(0)} rows of {Range(1)} elements " +
                $"({Range(2)} dimensions, dtype codes {Range(3)}); this rank [{string.Join(',', shape)}] {local.DType}");
        var input = local.Contiguous();
        Tensor result;
        try
        {
            result = Tensor.Wrap(NativeMethods.lah_dist_allgather(Pg, input.Handle, out var r), r);
        }
        catch (LahNativeException e)
        {
            throw Failed("all-gather", e);
        }
        GC.KeepAlive(input);
        return result;

        string Range(int i) => min[i] == max[i] ? $"{min[i]}" : $"{min[i]} to {max[i]}";
    }

    /// <summary>Returns once every rank reached its barrier.</summary>
    public void Barrier() => Check("barrier", NativeMethods.lah_dist_barrier(Pg));

    /// <summary>
    /// The mean of <paramref name="value"/> over ranks (every rank calls it with its own value): where every rank ran
    /// as many steps, the mean of the ranks' loss sums is the global batch's.
    /// </summary>
    public double MeanOverRanks(double value)
    {
        using var t = Torch.FromArray(new[] { value }, 1);
        AllReduce(t);
        return t.ToArray<double>()[0] / WorldSize;
    }

    /// <summary>The smallest and largest of <paramref name="value"/> over ranks (to check that ranks agree).</summary>
    public (long Min, long Max) MinMaxOverRanks(long value)
    {
        var (min, max) = RangeOverRanks([value]);
        return (min[0], max[0]);
    }

    // Element-wise minima and maxima over ranks in one collective: the maximum of [v, −v] is [max v, −min v].
    private (long[] Min, long[] Max) RangeOverRanks(long[] values)
    {
        int n = values.Length;
        using var t = Torch.FromArray(values.Concat(values.Select(v => -v)).ToArray(), 2 * n);
        AllReduce(t, ReduceOp.Max);
        var both = t.ToArray<long>();
        return (both.Skip(n).Select(v => -v).ToArray(), both.Take(n).ToArray());
    }

    private IntPtr Pg
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pg.IsClosed, this);
            return _pg.DangerousGetHandle();
        }
    }

    private static IntPtr[] Handles(IReadOnlyList<Tensor> tensors) => tensors.Select(t => t.Handle).ToArray();

    private void Check(string op, int rc)
    {
        try
        {
            Status.Check(rc);
        }
        catch (LahNativeException e)
        {
            throw Failed(op, e);
        }
    }

    private DistributedException Failed(string op, LahNativeException e) =>
        new($"rank {Rank}/{WorldSize}: {op} failed (a peer exited, or did not answer within {Timeout.TotalSeconds:0.#} s): {e.Message}", e);

    public void Dispose()
    {
        _pg.Dispose();
        _store.Dispose();
    }
}
