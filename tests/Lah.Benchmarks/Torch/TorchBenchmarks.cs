using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Lah.Torch;

namespace Lah.Benchmarks.Torch;

/// <summary>
/// Binding overhead and a LAH-sized matmul: `dotnet fsi build.fsx bench torch`. The tiny add measures the cost of one
/// P/Invoke round trip plus handle bookkeeping; the matmul measures libtorch itself (BLAS) through the binding.
/// </summary>
[MemoryDiagnoser]
public class TorchBenchmarks
{
    private Tensor _a = null!, _b = null!, _x = null!, _w = null!;

    [Params(1, 2)] public int Threads;

    [GlobalSetup]
    public void Setup()
    {
        Lah.Torch.Torch.SetNumThreads(Threads);
        Lah.Torch.Torch.ManualSeed(0);
        _a = Lah.Torch.Torch.Ones([1]).DetachFromScopes();
        _b = Lah.Torch.Torch.Ones([1]).DetachFromScopes();
        _x = Lah.Torch.Torch.Randn([256, 2048]).DetachFromScopes();
        _w = Lah.Torch.Torch.Randn([2048, 350]).Mul_(0.02).RequiresGrad_().DetachFromScopes();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _a, _b, _x, _w }) t.Dispose();
    }

    /// <summary>One tiny add, its result disposed at once.</summary>
    [Benchmark]
    public void TinyAdd()
    {
        using var c = _a + _b;
    }

    /// <summary>The same add inside a dispose scope, as a training loop does it.</summary>
    [Benchmark]
    public void TinyAddInScope()
    {
        using var scope = Lah.Torch.Torch.NewScope();
        _ = _a + _b;
    }

    /// <summary>256×2048 @ 2048×350, forward and backward.</summary>
    [Benchmark]
    public void MatmulForwardBackward()
    {
        using var scope = Lah.Torch.Torch.NewScope();
        var y = _x.MatMul(_w);
        y.Sum().Backward();
        _w.ZeroGrad(setToNone: true);
    }

    public static int Run(string[] args)
    {
        // In process: BenchmarkDotNet's default toolchain rebuilds the whole project graph per run, which overran its
        // 2-minute build timeout on the shared 2-core machine; the binding's overhead needs no separate process.
        var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inproc"));
        var summary = BenchmarkRunner.Run<TorchBenchmarks>(config, args);
        var failed = summary.Reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
        if (summary.Reports.Length == 0 || failed.Count > 0)
        {
            Console.Error.WriteLine($"bench torch: {failed.Count} of {summary.Reports.Length} benchmarks failed: {string.Join("; ", failed)}");
            return 1;
        }
        return 0;
    }
}
