using System.Diagnostics;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Training;
using Lah.Vision;
using Lah.Vision.Models;

namespace Lah.Benchmarks.Vision;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// `bench vision [ROUNDS]`: images/s of an end-to-end training step (backbone → max pool → LAH head → Cauchy loss →
/// backward → clipping → SGD) and of encoding (eval, no grad, pooled features → codes) for the small CNN (at 32² and
/// 224²) and ResNet-50 at 224², on this CPU with libtorch's default threads. Median of ROUNDS timed steps after
/// warm-up; CPU time (user + system) per image beside wall time, since other work may share the cores. Then
/// ResNet-50 with the same LAH head, Cauchy loss, clipping and SGD in PyTorch 1.13 (peers/resnet_step.py) with the
/// same batches and threads; a failing peer fails the suite (its exit code).
/// </summary>
public static class VisionSuite
{
    private sealed record Case(string Name, Func<Backbone> Build, int Size, int TrainBatch, int EncodeBatch);

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 5;
        Console.WriteLine($"vision: images/s, libtorch {Torch.Version}, {Torch.GetNumThreads()} thread(s), {Environment.ProcessorCount} cores, median of {rounds}");
        Case[] cases =
        [
            new("smallcnn 32-64-128 @32", () => new SmallCnn(new SmallCnnConfig(), Seeded), 32, 64, 256),
            new("smallcnn 32-64-128 @224", () => new SmallCnn(new SmallCnnConfig(), Seeded), 224, 16, 32),
            new("resnet50 @224", () => new ResNet(ResNetConfig.ResNet50 with { NumClasses = 0, Pooling = GlobalPooling.Max }, Seeded), 224, 8, 16),
        ];
        Console.WriteLine($"{"model",-26} {"phase",-7} {"batch",6} {"img/s",9} {"ms/img",9} {"cpu ms/img",11}");
        foreach (var c in cases)
        {
            using var network = Network(c);
            Measure(c, "train", c.TrainBatch, rounds, TrainStep(network, c));
            Measure(c, "encode", c.EncodeBatch, rounds, EncodeStep(network, c));
        }
        // PyTorch 1.13 side by side on ResNet-50 (the same layout written out: Debian has no torchvision).
        var resnet = cases[^1];
        Console.WriteLine($"PyTorch peer, {Torch.GetNumThreads()} thread(s) (peers/resnet_step.py):");
        return Peers.Run("resnet_step.py", Torch.GetNumThreads().ToString(), resnet.TrainBatch.ToString(),
            resnet.EncodeBatch.ToString(), rounds.ToString());
    }

    /// <summary>Initial weights and inputs of the timed networks: a generator of their own (never the global one).</summary>
    internal static readonly Generator Seeded = new(0);

    private static HashingNetwork Network(Case c) => Network(c.Build(), Seeded);

    /// <summary>A LAH head at VOC's 20 labels and 48 bits over <paramref name="backbone"/> on a fixed synthetic
    /// label graph: the network the training-throughput suites (vision, ddp) time.</summary>
    internal static HashingNetwork Network(Backbone backbone, Generator generator)
    {
        var config = new LahConfig
        {
            LabelCount = 20,
            HashBits = 48,
            ImageDim = backbone.NumFeatures,
            Head = new LahHeadOptions
            {
                Embedding = WordEmbedding.OneHot,
                GcnHidden = 256,
                ClassifierDim = 512,
                JointDim = 358,
                PoolingStride = 358,
            },
        };
        var r = config.LabelCount;
        var nums = Enumerable.Repeat(100.0, r).ToArray();
        var cooc = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++) cooc[i * r + j] = i == j ? 0 : (i + j) % 3 == 0 ? 60 : 5;
        return new HashingNetwork(backbone, HashHeads.Create(config, null, nums, cooc, generator));
    }

    private static Action TrainStep(HashingNetwork network, Case c)
    {
        var loss = new CauchyHashLoss(new HashLossConfig());
        var sgd = new SGD(network.Parameters(), 0.01, momentum: 0.9, weightDecay: 1e-4);
        var images = Torch.Randn([c.TrainBatch, 3, c.Size, c.Size], Seeded).DetachFromScopes();
        var labels = Torch.Rand([c.TrainBatch, 20], Seeded).Lt(0.2).To(DType.Float32).DetachFromScopes();
        return () =>
        {
            network.Train();
            using var scope = Torch.NewScope();
            sgd.ZeroGrad();
            var terms = loss.Compute(network.Forward(images), labels);
            terms.Total.Backward();
            ClipGrad.Norm(network.Parameters(), 10);
            sgd.Step();
            _ = terms.Total.ItemDouble();
        };
    }

    private static Action EncodeStep(HashingNetwork network, Case c)
    {
        var images = Torch.Randn([c.EncodeBatch, 3, c.Size, c.Size], Seeded).DetachFromScopes();
        return () =>
        {
            network.Eval();
            using var scope = Torch.NewScope();
            using var noGrad = Torch.NoGrad();
            _ = network.Forward(images).ToFloatArray();
        };
    }

    private static void Measure(Case c, string phase, int batch, int rounds, Action step)
    {
        step(); // warm-up: allocator, oneDNN primitives
        step();
        var wall = new List<double>();
        var cpu = new List<double>();
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < rounds; i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            step();
            sw.Stop();
            process.Refresh();
            wall.Add(sw.Elapsed.TotalMilliseconds / batch);
            cpu.Add((process.TotalProcessorTime - cpu0).TotalMilliseconds / batch);
        }
        double ms = Median(wall), cms = Median(cpu);
        Console.WriteLine($"{c.Name,-26} {phase,-7} {batch,6} {1000 / ms,9:F1} {ms,9:F2} {cms,11:F2}");
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
