using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lah.Torch.Distributed;
using Xunit;

namespace Lah.Training.Tests;

/// <summary>
/// Data-parallel training over c10d/Gloo on loopback. Ranks are real OS processes (tests/Lah.Distributed.Worker);
/// every wait has a generous upper bound (a loaded 2-core machine), and nothing is asserted on a sleep.
/// </summary>
public sealed class DistributedTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public void Two_ranks_agree_on_allreduce_broadcast_and_barrier_values()
    {
        int port = FreePort();
        var ranks = Enumerable.Range(0, 2).Select(r => Worker.Start(["collectives", "timeout=60"], new()
        {
            ["RANK"] = $"{r}",
            ["WORLD_SIZE"] = "2",
            ["MASTER_ADDR"] = "127.0.0.1",
            ["MASTER_PORT"] = $"{port}",
        })).ToList();
        foreach (var w in ranks) w.ExpectSuccess();
        Assert.Contains("rank 0/2: collectives ok", ranks[0].Stdout);
        Assert.Contains("rank 1/2: collectives ok", ranks[1].Stdout);
    }

    [Theory]
    [InlineData(100)] // every tensor in a bucket of its own
    [InlineData(DataParallel.DefaultBucketBytes)] // all gradients in one bucket
    public void Two_processes_with_batch_B_reach_the_parameters_of_one_process_with_batch_2B(long bucketBytes)
    {
        var dir = Directory.CreateTempSubdirectory("lah-ddp-").FullName;
        try
        {
            string single = Path.Combine(dir, "single.json"), ddp = Path.Combine(dir, "ddp.json");
            Worker.Start(["train", "rank=0", "world=1", "batch=8", "epochs=3", "bucket=100", $"out={single}"]).ExpectSuccess();
            int port = FreePort();
            var ranks = Enumerable.Range(0, 2)
                .Select(r => Worker.Start(["train", $"rank={r}", "world=2", "batch=4", "epochs=3", $"bucket={bucketBytes}", $"port={port}", $"out={ddp}"]))
                .ToList();
            foreach (var w in ranks) w.ExpectSuccess();
            var (a, b) = (Read(single), Read(ddp));
            Assert.Equal(18, a.Steps); // 48 rows / 8 per step × 3 epochs
            Assert.Equal(a.Steps, b.Steps);
            Assert.Equal(a.Weights.Length, b.Weights.Length);
            for (int i = 0; i < a.Weights.Length; i++) Assert.True(Math.Abs(a.Weights[i] - b.Weights[i]) < 1e-5, $"weight {i}: {a.Weights[i]} vs {b.Weights[i]}");
            for (int e = 0; e < a.Losses.Length; e++) Assert.True(Math.Abs(a.Losses[e] - b.Losses[e]) < 1e-5, $"epoch {e} loss: {a.Losses[e]} vs {b.Losses[e]}");
            // The run moved the weights (the comparison is not between two untrained heads).
            Assert.True(a.Losses[^1] < a.Losses[0], $"losses {string.Join(", ", a.Losses)}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static readonly string[] EveryLoss = ["cauchy", "cauchy-paper", "hybrid", "csq", "hashnet", "dpsh", "classification"];

    // One single process with batch 16 and one pair of ranks with batch 8 each train every loss in turn (three worker
    // processes in all, whatever the number of losses); each test case reads its loss's results.
    private static readonly Lazy<(Dictionary<string, Result> Single, Dictionary<string, Result> Ranks)> LossRuns = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("lah-ddp-losses-").FullName;
        try
        {
            string single = Path.Combine(dir, "single.json"), ddp = Path.Combine(dir, "ddp.json");
            var losses = "losses=" + string.Join(',', EveryLoss.Append("cauchy-per-slice"));
            var one = Worker.Start(["losses", "rank=0", "world=1", "batch=16", losses, $"out={single}"]);
            int port = FreePort();
            var ranks = Enumerable.Range(0, 2).Select(r => Worker.Start(["losses", $"rank={r}", "world=2", "batch=8", losses, $"port={port}", $"out={ddp}"])).ToList();
            one.ExpectSuccess();
            foreach (var w in ranks) w.ExpectSuccess();
            return (ReadAll(single), ReadAll(ddp));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    });

    public static IEnumerable<object[]> Losses() => EveryLoss.Select(l => new object[] { l });

    [Theory]
    [MemberData(nameof(Losses))]
    public void For_every_loss_two_ranks_with_batch_B_reach_the_parameters_of_one_process_with_batch_2B(string loss)
    {
        var (a, b) = (LossRuns.Value.Single[loss], LossRuns.Value.Ranks[loss]);
        Assert.Equal(6, a.Steps); // 48 rows / 16 per global step × 2 epochs
        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(a.Initial, b.Initial); // the same seeded head (rank 0's, which the loop broadcasts)
        AssertClose(a.Weights, b.Weights, 1e-5, loss);
        for (int e = 0; e < a.Losses.Length; e++) Assert.True(Math.Abs(a.Losses[e] - b.Losses[e]) < 1e-5 * Math.Max(1, Math.Abs(a.Losses[e])), $"{loss}: epoch {e} loss {a.Losses[e]} vs {b.Losses[e]}");
        // The runs moved the weights: the comparison is not between two untrained heads.
        Assert.True(MaxDifference(a.Initial, a.Weights) > 1e-3, $"{loss}: the weights hardly moved ({MaxDifference(a.Initial, a.Weights)})");
    }

    [Fact]
    public void Without_the_global_batch_a_pairwise_loss_would_train_differently()
    {
        // The same Cauchy loss declared per-row: each rank scores only the pairs inside its slice, so the comparison
        // above is one that can fail.
        var (a, b) = (LossRuns.Value.Single["cauchy-per-slice"], LossRuns.Value.Ranks["cauchy-per-slice"]);
        Assert.Equal(a.Weights, LossRuns.Value.Single["cauchy"].Weights); // one process: the declaration changes nothing
        Assert.True(MaxDifference(a.Weights, b.Weights) > 1e-3, $"per-slice ranks match one process ({MaxDifference(a.Weights, b.Weights)})");
    }

    [Fact]
    public void End_to_end_the_cauchy_loss_on_two_ranks_equals_one_process_whose_batch_norm_sees_each_half()
    {
        var dir = Directory.CreateTempSubdirectory("lah-ddp-e2e-cauchy-").FullName;
        try
        {
            string single = Path.Combine(dir, "single.json"), ddp = Path.Combine(dir, "ddp.json");
            var one = Worker.Start(["e2e-cauchy", "rank=0", "world=1", "batch=16", "slices=2", $"out={single}"]);
            int port = FreePort();
            var ranks = Enumerable.Range(0, 2)
                .Select(r => Worker.Start(["e2e-cauchy", $"rank={r}", "world=2", "batch=8", "slices=1", $"port={port}", $"out={ddp}"]))
                .ToList();
            one.ExpectSuccess();
            foreach (var w in ranks) w.ExpectSuccess();
            var (a, b) = (Read(single), Read(ddp));
            Assert.Equal(6, a.Steps); // 2 epochs × 3 steps
            Assert.Equal(a.Steps, b.Steps);
            AssertClose(a.Weights, b.Weights, 1e-5, "end to end");
            for (int e = 0; e < a.Losses.Length; e++) Assert.True(Math.Abs(a.Losses[e] - b.Losses[e]) < 1e-5, $"epoch {e} loss: {a.Losses[e]} vs {b.Losses[e]}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void End_to_end_ranks_stay_identical_and_only_rank_0_writes_checkpoints()
    {
        var dir = Directory.CreateTempSubdirectory("lah-ddp-e2e-").FullName;
        try
        {
            string checkpoints = Path.Combine(dir, "ckpt"), outPrefix = Path.Combine(dir, "out");
            int port = FreePort();
            var ranks = Enumerable.Range(0, 2)
                .Select(r => Worker.Start(["e2e", $"rank={r}", "world=2", $"port={port}", $"dir={checkpoints}", $"out={outPrefix}"]))
                .ToList();
            foreach (var w in ranks) w.ExpectSuccess();
            var (a, b) = (Read(outPrefix + "-0.json"), Read(outPrefix + "-1.json"));
            Assert.Equal(6, a.Steps); // 2 epochs × 3 steps, the same count on both ranks
            Assert.Equal(a.Steps, b.Steps);
            // Same averaged gradients, same updates: the parameters never drift apart (they started different).
            for (int i = 0; i < a.Weights.Length; i++) Assert.True(Math.Abs(a.Weights[i] - b.Weights[i]) < 1e-6, $"parameter element {i}: {a.Weights[i]} vs {b.Weights[i]}");
            // Epoch losses are averaged over ranks, so both report the same values.
            Assert.Equal(a.Losses, b.Losses);
            Assert.True(File.Exists(Path.Combine(checkpoints, Trainer.CheckpointFile)));
            Assert.True(File.Exists(Path.Combine(checkpoints, Trainer.HistoryFile)));
            // Rank 0 writes atomically through temporary files; nothing else (no second writer's leftovers) is there.
            Assert.Equal([Trainer.BestFile, Trainer.CheckpointFile, Trainer.HistoryFile],
                Directory.GetFiles(checkpoints).Select(f => Path.GetFileName(f)).Order().ToArray());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_killed_rank_ends_the_survivor_with_a_clear_error_within_the_timeout()
    {
        int port = FreePort();
        const int timeoutSeconds = 8;
        var survivor = Worker.Start(["survivor", "rank=0", "world=2", $"port={port}", $"timeout={timeoutSeconds}"]);
        var victim = Worker.Start(["victim", "rank=1", "world=2", $"port={port}", $"timeout={timeoutSeconds}"]);
        Assert.True(victim.Ready.Wait(Bound), $"the victim never joined: {victim.Stderr}");
        victim.Process.Kill(entireProcessTree: true);
        var clock = Stopwatch.StartNew();
        Assert.True(survivor.Process.WaitForExit(Bound), "the survivor hung after its peer was killed");
        Assert.Equal(1, survivor.Process.ExitCode);
        Assert.Contains("DistributedException: rank 0/2: all-reduce failed", survivor.Stderr);
        // The peer's death (or at the latest the collective timeout) ends it, far from the upper bound.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(timeoutSeconds + 60), $"took {clock.Elapsed}");
        victim.Process.WaitForExit();
    }

    [Fact]
    public void A_rank_outside_the_world_is_refused_before_any_connection()
    {
        var e = Assert.Throws<DistributedException>(() => ProcessGroup.Init(new DistributedOptions(2, 2, "127.0.0.1", FreePort())));
        Assert.Contains("rank 2 is outside 0..1 (world size 2)", e.Message);
        e = Assert.Throws<DistributedException>(() => ProcessGroup.Init(new DistributedOptions(0, 0)));
        Assert.Contains("world size must be at least 1", e.Message);
    }

    [Fact]
    public void An_unreachable_master_fails_after_the_timeout_naming_it()
    {
        int port = FreePort();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<DistributedException>(() =>
            ProcessGroup.Init(new DistributedOptions(1, 2, "127.0.0.1", port) { Timeout = TimeSpan.FromSeconds(2) }));
        Assert.Contains($"rank 1/2: could not reach the master 127.0.0.1:{port} within 2 s", e.Message);
        // c10d counts its connect deadline from its own retry loop, so only the upper bound is meaningful here.
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_single_rank_group_runs_every_collective_in_process()
    {
        using var pg = ProcessGroup.Init(new DistributedOptions(0, 1, "127.0.0.1", FreePort()) { Timeout = TimeSpan.FromSeconds(30) });
        using var t = Lah.Torch.Torch.FromArray(new[] { 1f, 2f }, 2);
        pg.AllReduce(t);
        pg.Broadcast(t);
        pg.Barrier();
        Assert.Equal([1f, 2f], t.ToArray<float>());
        var e = Assert.Throws<DistributedException>(() => pg.Broadcast(t, root: 1));
        Assert.Contains("broadcast root 1 is outside 0..0", e.Message);
    }

    private sealed record Result(float[] Weights, double[] Losses, int Steps)
    {
        public float[] Initial { get; init; } = [];
    }

    private static Result Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return Parse(doc.RootElement);
    }

    private static Dictionary<string, Result> ReadAll(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Parse(p.Value));
    }

    private static Result Parse(JsonElement r)
    {
        static float[] Floats(JsonElement a) => a.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return new Result(Floats(r.GetProperty("weights")), r.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            r.GetProperty("steps").GetInt32())
        {
            Initial = r.TryGetProperty("initial", out var i) ? Floats(i) : [],
        };
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < tolerance, $"{what}: parameter element {i}: {expected[i]} vs {actual[i]}");
    }

    // The OS picks a free loopback port; it stays free for the moment until a rank binds it.
    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>A worker process with its output collected; <see cref="Ready"/> is set when it prints "ready".</summary>
    private sealed class Worker
    {
        private readonly StringBuilder _out = new(), _err = new();

        public required Process Process { get; init; }
        public ManualResetEventSlim Ready { get; } = new();

        public string Stdout
        {
            get
            {
                lock (_out) return _out.ToString();
            }
        }

        public string Stderr
        {
            get
            {
                lock (_err) return _err.ToString();
            }
        }

        private static string WorkerDll()
        {
            // Same configuration and framework folders as this test assembly: bin/<Configuration>/<tfm>/.
            var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(bin.Parent!.Parent!.Parent!.Parent!.FullName, "Lah.Distributed.Worker", "bin", bin.Parent.Name, bin.Name,
                "Lah.Distributed.Worker.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"the worker is not built: {dll}");
        }

        public static Worker Start(string[] args, Dictionary<string, string>? env = null)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(WorkerDll());
            foreach (var a in args) psi.ArgumentList.Add(a);
            // One libtorch thread per rank: two ranks share this machine's cores with the test runner.
            psi.Environment["LAH_NUM_THREADS"] = "1";
            foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
            var w = new Worker { Process = new Process { StartInfo = psi } };
            w.Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (w._out) w._out.AppendLine(e.Data);
                if (e.Data == "ready") w.Ready.Set();
            };
            w.Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (w._err) w._err.AppendLine(e.Data);
            };
            w.Process.Start();
            w.Process.BeginOutputReadLine();
            w.Process.BeginErrorReadLine();
            return w;
        }

        public void ExpectSuccess()
        {
            if (!Process.WaitForExit(Bound))
            {
                Process.Kill(entireProcessTree: true);
                Assert.Fail($"worker {string.Join(' ', Process.StartInfo.ArgumentList.Skip(1))} did not finish within {Bound}: {Stderr}");
            }
            Process.WaitForExit(); // drains the redirected output
            Assert.True(Process.ExitCode == 0, $"worker {string.Join(' ', Process.StartInfo.ArgumentList.Skip(1))} exited {Process.ExitCode}: {Stderr}");
        }
    }
}
