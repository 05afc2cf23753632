using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Lah.Torch;

namespace Lah.Benchmarks.Hashing;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// `bench hashing [--threads N]`: the LAH head training step with BenchmarkDotNet, then the vectorised PyTorch 1.13
/// peer (peers/lah_head_step.py via /usr/bin/python3) at the same thread count, printed side by side. A peer that
/// fails or prints no timings fails the suite (exit code 1, the reason on stderr). Debian's
/// libtorch calls OpenBLAS, whose own thread pool ignores set_num_threads: for a single-threaded comparison run
/// `OPENBLAS_NUM_THREADS=1 dotnet fsi build.fsx bench hashing --threads 1` (the peer inherits the variable).
/// </summary>
public static class HashingSuite
{
    public static int Run(string[] args)
    {
        int threads = Torch.GetNumThreads();
        for (int i = 0; i < args.Length - 1; i++)
            if (args[i] == "--threads") threads = int.Parse(args[i + 1]);
        Environment.SetEnvironmentVariable("LAH_BENCH_THREADS", threads.ToString());
        Console.WriteLine($"hashing: one LAH head training step, B=32 D=2048 J=358 K=48, {threads} thread(s)");

        // The peer first: a comparison without it measures nothing, so a failing peer fails the suite before the
        // minutes of BenchmarkDotNet rather than printing blanks or zeros after them.
        var (peer, peerCpu, failure) = RunPeer(threads);
        if (failure is not null)
        {
            Console.Error.WriteLine($"hashing: FAILED, the PyTorch peer gave no timings: {failure}");
            return 1;
        }

        // In-process: a shared, loaded 2-core machine times out BenchmarkDotNet's per-run project build.
        var job = Job.Default.WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance);
        var summary = BenchmarkRunner.Run<LahHeadStepBenchmark>(DefaultConfig.Instance.AddJob(job));
        var ours = summary.Reports.ToDictionary(
            r => (int)r.BenchmarkCase.Parameters["R"], r => r.ResultStatistics?.Median / 1e6);

        // CPU time per step (process user + system) is steadier than wall time when other work loads the cores.
        var oursCpu = new Dictionary<int, double>();
        foreach (var r in new[] { 80, 20 })
        {
            var bench = new LahHeadStepBenchmark { R = r };
            bench.Setup();
            for (int i = 0; i < 5; i++) bench.TrainingStep();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < 30; i++) bench.TrainingStep();
            oursCpu[r] = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / 30;
            bench.Cleanup();
        }

        var missing = new[] { 80, 20 }.Where(r => ours.GetValueOrDefault(r) is null).ToArray();
        if (missing.Length > 0)
        {
            Console.Error.WriteLine($"hashing: FAILED, BenchmarkDotNet gave no result for R = {string.Join(", ", missing)}");
            return 1;
        }

        Console.WriteLine($"{"shape",-12} {"LAH.NET ms",12} {"PyTorch ms",12} {"ratio",8} {"LAH.NET cpu",12} {"PyTorch cpu",12} {"ratio",8}");
        foreach (var r in new[] { 80, 20 })
        {
            double o = ours[r]!.Value, t = peer[r], oc = oursCpu[r], tc = peerCpu[r];
            Console.WriteLine(
                $"{(r == 80 ? "COCO R=80" : "VOC R=20"),-12} {o,12:F2} {t,12:F2} {(o / t),8:F3} {oc,12:F2} {tc,12:F2} {(oc / tc),8:F3}");
        }
        Console.WriteLine("wall: BenchmarkDotNet median (ours) / median of 30 steps (peer); cpu: process CPU ms per step over 30 steps");
        return 0;
    }

    /// <summary>
    /// Runs peers/lah_head_step.py (LAH_BENCH_PEER overrides the script, to check this failure path) and reads its
    /// `R=… median_ms=… cpu_ms=…` lines; the failure names what went wrong, null when every shape has its timings.
    /// </summary>
    private static (Dictionary<int, double> Wall, Dictionary<int, double> Cpu, string? Failure) RunPeer(int threads)
    {
        var script = Environment.GetEnvironmentVariable("LAH_BENCH_PEER") is { Length: > 0 } s ? s : Path.Combine(Peers.Dir, "lah_head_step.py");
        var wall = new Dictionary<int, double>();
        var cpu = new Dictionary<int, double>();
        string stdout, stderr;
        int exit;
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, threads.ToString(), "80", "20"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            stderr = err.Result;
            p.WaitForExit();
            exit = p.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return (wall, cpu, $"/usr/bin/python3 {script} could not start: {e.Message}");
        }
        if (exit != 0) return (wall, cpu, $"/usr/bin/python3 {script} exited with {exit}: {stderr.Trim()}");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2))
                .Where(a => a.Length == 2).ToDictionary(a => a[0], a => a[1]);
            if (!(kv.TryGetValue("R", out var r) && int.TryParse(r, out var shape)
                  && kv.TryGetValue("median_ms", out var m) && double.TryParse(m, inv, out var ms)
                  && kv.TryGetValue("cpu_ms", out var c) && double.TryParse(c, inv, out var cms)))
                return (wall, cpu, $"unexpected peer output line '{line}' (expected `R=… median_ms=… cpu_ms=…`)");
            wall[shape] = ms;
            cpu[shape] = cms;
        }
        var absent = new[] { 80, 20 }.Where(r => !wall.ContainsKey(r)).ToArray();
        return absent.Length > 0
            ? (wall, cpu, $"no timings for R = {string.Join(", ", absent)} in the peer's output: '{stdout.Trim()}' {stderr.Trim()}")
            : (wall, cpu, null);
    }
}
