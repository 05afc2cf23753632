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
/// peer (peers/lah_head_step.py via /usr/bin/python3) at the same thread count, printed side by side.
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

        var script = Path.Combine(Peers.Dir, "lah_head_step.py");
        var peer = new Dictionary<int, double>();
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
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            Console.Error.WriteLine($"PyTorch peer not run: {e.Message}");
        }

        Console.WriteLine($"{"shape",-12} {"LAH.NET ms",12} {"PyTorch ms",12} {"ratio",8}");
        foreach (var r in new[] { 80, 20 })
        {
            var o = ours.GetValueOrDefault(r);
            var t = peer.TryGetValue(r, out var v) ? v : (double?)null;
            Console.WriteLine($"{(r == 80 ? "COCO R=80" : "VOC R=20"),-12} {o,12:F2} {t,12:F2} {(o / t),8:F3}");
        }
        return 0;
    }
}
