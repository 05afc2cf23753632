using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Distributed;
using Lah.Torch.Optim;
using Lah.Training;
using Lah.Vision.Models;

namespace Lah.Benchmarks.Distributed;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// `bench ddp [STEPS] [RANKS]`: images/s of end-to-end training steps (small CNN → LAH head → Cauchy loss → backward →
/// clipping → SGD) at the same global batch, one process with every core against RANKS processes (default 2) with
/// cores/RANKS threads each, the loss on the all-gathered global batch and gradients summed over Gloo on loopback, as
/// the training loop does for the Cauchy loss (speed-up: ranks against the all-core process; a
/// one-thread process is shown as well). Rank processes are this program re-invoked
/// (`ddp rank …`). Timed after two warm-up steps and a barrier; rank 0's wall clock over STEPS steps.
/// </summary>
public static class DdpSuite
{
    private sealed record Case(string Name, int Size, int GlobalBatch);

    private static readonly Case[] Cases = [new("smallcnn 32-64-128 @32", 32, 64), new("smallcnn 32-64-128 @96", 96, 32)];

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "rank") return RunRank(args[1..]);
        int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        int ranks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        int cores = Environment.ProcessorCount;
        Console.WriteLine($"ddp: end-to-end training images/s at the same global batch, libtorch {Torch.Version}, {cores} cores, {steps} timed steps");
        // One process on one thread too: it tells libtorch's own multi-threading cost apart from what the ranks add.
        Console.WriteLine($"{"model",-26} {"global batch",12} {"1 process × 1 thr",18} {"1 process × " + cores + " thr",18} {ranks + " ranks × " + Math.Max(1, cores / ranks) + " thr",18} {"speed-up",9}");
        foreach (var (c, index) in Cases.Select((c, i) => (c, i)))
        {
            Torch.SetNumThreads(1);
            double one = Train(c, steps, c.GlobalBatch, null);
            Torch.SetNumThreads(cores);
            double single = Train(c, steps, c.GlobalBatch, null);
            double multi = Spawn(index, steps, ranks);
            Console.WriteLine($"{c.Name,-26} {c.GlobalBatch,12} {one,18:F1} {single,18:F1} {multi,18:F1} {multi / single,8:F2}×");
        }
        return 0;
    }

    // Images/s over every rank (the global batch per step).
    private static double Train(Case c, int steps, int batch, DataParallel? parallel)
    {
        using var network = Network();
        parallel?.BroadcastFrom(network.Parameters().Concat(network.Buffers()));
        var loss = new CauchyHashLoss(new HashLossConfig());
        using var sgd = new SGD(network.Parameters(), 0.01, momentum: 0.9, weightDecay: 1e-4);
        using var inputs = new Generator(1 + (parallel?.Group.Rank ?? 0));
        using var images = Torch.Randn([batch, 3, c.Size, c.Size], inputs);
        using var labels = Torch.Rand([batch, 20], inputs).Lt(0.2).To(DType.Float32);
        void Step()
        {
            network.Train();
            using var scope = Torch.NewScope();
            sgd.ZeroGrad();
            parallel?.BroadcastFrom(network.Buffers());
            var output = network.ForwardHead(images);
            var y = labels;
            // As the loop does for a loss that couples rows: the global batch's codes, gradients summed over ranks.
            if (parallel is not null)
            {
                var all = parallel.GatherBatch([output.Fused, output.Codes, labels]);
                (output, y) = (new HeadOutput(all[0], all[1]), all[2]);
            }
            var terms = loss.Compute(output.Codes, y);
            terms.Total.Backward();
            parallel?.SumGradients(network.Parameters());
            ClipGrad.Norm(network.Parameters(), 10);
            sgd.Step();
            _ = terms.Total.ItemDouble();
        }
        Step();
        Step();
        parallel?.Group.Barrier();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        parallel?.Group.Barrier();
        return (double)batch * (parallel?.Group.WorldSize ?? 1) * steps / sw.Elapsed.TotalSeconds;
    }

    private static HashingNetwork Network()
    {
        // The same weights in every process: rank 0's are broadcast anyway, and one process must match the ranks.
        using var generator = new Generator(0);
        return Vision.VisionSuite.Network(new SmallCnn(new SmallCnnConfig(), generator), generator);
    }

    // ddp rank CASE STEPS (RANK, WORLD_SIZE, MASTER_* from the environment): rank 0 prints "images/s X".
    private static int RunRank(string[] args)
    {
        var c = Cases[int.Parse(args[0], CultureInfo.InvariantCulture)];
        int steps = int.Parse(args[1], CultureInfo.InvariantCulture);
        using var group = ProcessGroup.InitFromEnvironment(TimeSpan.FromMinutes(5));
        if (c.GlobalBatch % group.WorldSize != 0) throw new ArgumentException($"global batch {c.GlobalBatch} does not split over {group.WorldSize} ranks");
        double rate = Train(c, steps, c.GlobalBatch / group.WorldSize, new DataParallel(group));
        if (group.Rank == 0) Console.WriteLine($"images/s {rate.ToString("R", CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static double Spawn(int caseIndex, int steps, int ranks)
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var procs = Enumerable.Range(0, ranks).Select(rank =>
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") psi.ArgumentList.Add(typeof(DdpSuite).Assembly.Location);
            foreach (var a in new[] { "ddp", "rank", $"{caseIndex}", $"{steps}" }) psi.ArgumentList.Add(a);
            psi.Environment["RANK"] = $"{rank}";
            psi.Environment["WORLD_SIZE"] = $"{ranks}";
            psi.Environment["MASTER_ADDR"] = "127.0.0.1";
            psi.Environment["MASTER_PORT"] = $"{port}";
            psi.Environment["LAH_NUM_THREADS"] = $"{Math.Max(1, Environment.ProcessorCount / ranks)}";
            return Process.Start(psi)!;
        }).ToList();
        var output = procs.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
        foreach (var p in procs) p.WaitForExit();
        if (procs.Any(p => p.ExitCode != 0)) throw new InvalidOperationException($"a rank failed: exit codes {string.Join(", ", procs.Select(p => p.ExitCode))}");
        var line = output[0].Result.Split('\n').Single(s => s.StartsWith("images/s ", StringComparison.Ordinal));
        return double.Parse(line["images/s ".Length..], CultureInfo.InvariantCulture);
    }
}
