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
/// peer (peers/lah_head_step.py via /usr/bin/python3) at the same thread count, printed side by side. Debian's
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

        var script = Path.Combine(Peers.Dir, "lah_head_step.py");
        var peer = new Dictionary<int, double>();
        var peerCpu = new Dictionary<int, double>();
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, threads.ToString(), "80", "20"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) Console.Error.WriteLine($"PyTorch peer failed ({p.ExitCode}): {stderr}");
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = line.Split(' ').Select(s => s.Split('=')).ToDictionary(a => a[0], a => a[1]);
                peer[int.Parse(kv["R"])] = double.Parse(kv["median_ms"], System.Globalization.CultureInfo.InvariantCulture);
                peerCpu[int.Parse(kv["R"])] = double.Parse(kv["cpu_ms"], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            Console.Error.WriteLine($"PyTorch peer not run: {e.Message}");
        }

        Console.WriteLine($"{"shape",-12} {"LAH.NET ms",12} {"PyTorch ms",12} {"ratio",8} {"LAH.NET cpu",12} {"PyTorch cpu",12} {"ratio",8}");
        foreach (var r in new[] { 80, 20 })
        {
            var o = ours.GetValueOrDefault(r);
            var t = peer.TryGetValue(r, out var v) ? v : (double?)null;
            var oc = oursCpu[r];
            var tc = peerCpu.TryGetValue(r, out var vc) ? vc : (double?)null;
            Console.WriteLine(
                $"{(r == 80 ? "COCO R=80" : "VOC R=20"),-12} {o,12:F2} {t,12:F2} {(o / t),8:F3} {oc,12:F2} {tc,12:F2} {(oc / tc),8:F3}");
        }
        Console.WriteLine("wall: BenchmarkDotNet median (ours) / median of 30 steps (peer); cpu: process CPU ms per step over 30 steps");
        return 0;
    }
}
