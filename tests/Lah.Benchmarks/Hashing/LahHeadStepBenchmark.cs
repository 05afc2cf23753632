using BenchmarkDotNet.Attributes;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Training.Features;

namespace Lah.Benchmarks.Hashing;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// One training step of the LAH head (GCN, MFB with dropout, hash layer, Cauchy loss, backward, clipping, SGD) at
/// COCO (R = 80) and VOC (R = 20) shape: B = 32, D = 2048, GCN 300 → 1024 → 2048, J = stride = 358, K = 48.
/// Thread count from LAH_BENCH_THREADS (the suite sets it; else libtorch's default).
/// </summary>
[MemoryDiagnoser(false)]
public class LahHeadStepBenchmark
{
    public const int Batch = 32;
    private LahModel _model = null!;
    private FeatureTrainer _trainer = null!;
    private Tensor _features = null!, _labels = null!;

    [Params(80, 20)]
    public int R { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("LAH_BENCH_THREADS"), out var threads) && threads > 0)
            Torch.SetNumThreads(threads);
        Torch.ManualSeed(0);
        var config = new LahConfig { LabelCount = R };
        var rng = new Random(0);
        var words = Enumerable.Range(0, R * config.WordDim).Select(_ => (float)rng.NextDouble()).ToArray();
        var nums = Enumerable.Range(0, R).Select(_ => 100.0 + rng.Next(100)).ToArray();
        var cooc = new double[R * R];
        for (int i = 0; i < R; i++)
            for (int j = 0; j < i; j++) cooc[i * R + j] = cooc[j * R + i] = rng.Next(60);
        _model = LahModel.FromCooccurrence(config, words, nums, cooc);
        _trainer = new FeatureTrainer(_model, new CauchyHashLoss(config.Loss), new FeatureTrainingOptions());
        var f = Enumerable.Range(0, Batch * config.ImageDim).Select(_ => (float)rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, Batch * R).Select(i => i % R == 0 || rng.NextDouble() < 0.1 ? 1f : 0f).ToArray();
        _features = Torch.FromArray(f, Batch, config.ImageDim).DetachFromScopes();
        _labels = Torch.FromArray(y, Batch, R).DetachFromScopes();
    }

    [Benchmark]
    public double TrainingStep()
    {
        using var scope = Torch.NewScope();
        return _trainer.Step(_features, _labels);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _features.Dispose();
        _labels.Dispose();
        _model.Dispose();
    }
}
