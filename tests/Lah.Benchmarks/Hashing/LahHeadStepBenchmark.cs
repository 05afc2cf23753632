using BenchmarkDotNet.Attributes;
using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Optim;

namespace Lah.Benchmarks.Hashing;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// One training step of the LAH head as the training loop takes it (GCN, MFB with dropout, hash layer, Cauchy loss,
/// backward, clipping, SGD) at COCO (R = 80) and VOC (R = 20) shape: B = 32, D = 2048, GCN 300 → 1024 → 2048,
/// J = stride = 358, K = 48. Thread count from LAH_BENCH_THREADS (the suite sets it; else libtorch's default).
/// </summary>
[MemoryDiagnoser(false)]
public class LahHeadStepBenchmark
{
    public const int Batch = 32;
    private LahModel _model = null!;
    private SGD _optimizer = null!;
    private CauchyHashLoss _loss = null!;
    private Generator _generator = null!;
    private Tensor _features = null!, _labels = null!;

    [Params(80, 20)]
    public int R { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("LAH_BENCH_THREADS"), out var threads) && threads > 0)
            Torch.SetNumThreads(threads);
        _generator = new Generator(0);
        var config = new LahConfig { LabelCount = R };
        var rng = Rng.For(0, 0xBE7C);
        var words = Enumerable.Range(0, R * config.WordDim).Select(_ => (float)rng.NextDouble()).ToArray();
        var nums = Enumerable.Range(0, R).Select(_ => 100.0 + rng.NextInt(100)).ToArray();
        var cooc = new double[R * R];
        for (int i = 0; i < R; i++)
            for (int j = 0; j < i; j++) cooc[i * R + j] = cooc[j * R + i] = rng.NextInt(60);
        _model = LahModel.FromCooccurrence(config, words, nums, cooc, _generator);
        _model.UseGenerator(_generator);
        _optimizer = new SGD(_model.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, 0.1, name: g.Name)), 0.1,
            momentum: 0.9, weightDecay: 1e-4);
        _loss = new CauchyHashLoss(new HashLossConfig());
        var f = Enumerable.Range(0, Batch * config.ImageDim).Select(_ => (float)rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, Batch * R).Select(i => i % R == 0 || rng.NextDouble() < 0.1 ? 1f : 0f).ToArray();
        _features = Torch.FromArray(f, Batch, config.ImageDim).DetachFromScopes();
        _labels = Torch.FromArray(y, Batch, R).DetachFromScopes();
    }

    [Benchmark]
    public double TrainingStep()
    {
        using var scope = Torch.NewScope();
        _model.Train();
        _optimizer.ZeroGrad();
        var total = ((IHashLoss)_loss).Compute(_model.ForwardHead(_features), _labels).Total;
        double value = total.ItemDouble();
        total.Backward();
        ClipGrad.Norm(_model.Parameters(), 10);
        _optimizer.Step();
        return value;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _features.Dispose();
        _labels.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
        _generator.Dispose();
    }
}
