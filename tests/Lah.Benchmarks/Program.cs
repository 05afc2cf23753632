using BenchmarkDotNet.Running;

namespace Lah.Benchmarks;

/// <summary>
/// `dotnet fsi build.fsx bench SUITE [args]` lands here. Each suite is one entry of <see cref="Suites"/>: it runs its
/// BenchmarkDotNet classes and any side-by-side peer (FAISS, PIL, PyTorch via /usr/bin/python3) and prints figures.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, (string What, Func<string[], int> Run)> Suites = new()
    {
        ["bdn"] = ("raw BenchmarkDotNet switcher over every [Benchmark] class (args go to BenchmarkDotNet)",
            args => { BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args); return 0; }
        ),
        ["data"] = ("JPEG decode + resize to 448² of the sample photos vs PIL (args: [ROUNDS] [JPEG_DIR])", DataSuite.Run),
        ["torch"] = ("binding overhead (tiny add) and 256×2048 @ 2048×350 matmul fwd+bwd; PyTorch side by side",
            args => Peers.RunAfter(Torch.TorchBenchmarks.Run(args), "torch_ops.py")),
        ["hashing"] = ("LAH head training step at COCO/VOC shape vs vectorised PyTorch 1.13 [--threads N]",
            Hashing.HashingSuite.Run),
        ["retrieval"] = ("Hamming k-NN/radius/multi-index search on 1M 64- and 128-bit codes vs FAISS; COCO-scale metrics vs NumPy (args: [N] [Q] [REPS], or eval [REPS] for the metrics alone)",
            Retrieval.RetrievalSuite.Run),
        ["scale"] = ("search cost against collection size: flat k-NN-100 and multi-index radius 2 over mapped shards of 1M/10M/100M clustered 64-bit codes vs FAISS (args: [SIZES…] [q=N] [reps=R] [faiss-mih=SIZES] [out=DIR])",
            Retrieval.ScaleSuite.Run),
        ["vision"] = ("images/s of end-to-end training and of encoding: small CNN (32², 224²) and ResNet-50 at 224² on this CPU (args: [ROUNDS])",
            Vision.VisionSuite.Run),
        ["tsne"] = ("exact t-SNE of N = 500/1,000/2,000 clustered 48-bit codes vs scikit-learn's exact TSNE on the same codes (args: [N …] [peer=MAX])",
            Experiments.TsneSuite.Run),
        ["ddp"] = ("images/s of end-to-end training, 1 process against N ranks over Gloo on loopback at the same global batch (args: [STEPS] [RANKS])",
            Distributed.DdpSuite.Run),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Suites.TryGetValue(args[0], out var suite))
        {
            Console.Error.WriteLine(args.Length == 0 ? "usage: bench SUITE [args]" : $"unknown suite '{args[0]}'");
            foreach (var (name, (what, _)) in Suites) Console.Error.WriteLine($"  {name,-12} {what}");
            return args.Length == 0 ? 0 : 2;
        }
        return suite.Run(args[1..]);
    }
}
