using Lah.Tests;
using Lah.Torch;
using Lah.Training.EndToEnd;
using Lah.Training.Optimization;
using Lah.Training.Pretraining;
using Lah.Vision.Models;
using Lah.Vision.Registry;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class PretrainingTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 60, train: 200);

    private static SmallCnn Model(long seed)
    {
        Torch.ManualSeed(seed);
        return new SmallCnn(new SmallCnnConfig { NumClasses = 10, Pooling = GlobalPooling.Average });
    }

    private static readonly PretrainingOptions Options = new()
    {
        Epochs = 2, BatchSize = 16, MaxStepsPerEpoch = 4, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3, Seed = 5, Workers = 1,
        EvaluateEachEpoch = true,
    };

    private static PretrainingResult Run(SmallCnn model, string? path, string fingerprint, PretrainingOptions? options = null) =>
        ClassificationPretrainer.Run(model, Mosaic.Dataset, Mosaic.Split.Train, Mosaic.Split.Query, Mosaic.Transform, Mosaic.Transform,
            options ?? Options, path, fingerprint);

    [Fact]
    public void Pretraining_saves_weights_that_are_loaded_back_when_the_fingerprint_matches()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("smallcnn-abc.safetensors");
        using var a = Model(1);
        var trained = Run(a, path, "data=abc");
        Assert.False(trained.Loaded);
        Assert.Equal(2, trained.Epochs.Count);
        Assert.All(trained.Epochs, e => Assert.Equal(4, e.Steps));
        Assert.All(trained.Epochs, e => Assert.InRange(e.HeldOutMap!.Value, 0, 100));
        Assert.True(trained.Epochs[1].LearningRate < trained.Epochs[0].LearningRate, "cosine schedule by default");
        Assert.True(File.Exists(path));

        using var b = Model(2);
        var loaded = Run(b, path, "data=abc");
        Assert.True(loaded.Loaded);
        Assert.Equal(trained.Epochs, loaded.Epochs);
        Assert.Equal(trained.HeldOutMap, loaded.HeldOutMap, 9);
        foreach (var (name, t) in a.StateDict()) Assert.Equal(t.ToFloatArray(), b.StateDict()[name].ToFloatArray());

        // Another fingerprint (or other options) trains again and replaces the file.
        using var c = Model(2);
        Assert.False(Run(c, path, "data=other").Loaded);
        using var d = Model(2);
        Assert.False(Run(d, path, "data=other", Options with { LearningRate = 1e-3 }).Loaded);

        // The saved file is a registry weights file: a feature backbone (classifier dropped) with the same features.
        using var e2 = ModelRegistry.Default.Create("smallcnn", new ModelOptions { WeightsFile = path, NumClasses = 0, Pooling = GlobalPooling.Average });
        e2.Eval();
        d.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = Torch.Rand([2, 3, 32, 32]);
        Assert.Equal(d.ForwardPooled(x).ToFloatArray(), e2.ForwardPooled(x).ToFloatArray());
    }

    [Fact]
    public void Pretraining_is_seeded_and_refuses_a_model_without_a_matching_classifier()
    {
        using var a = Model(3);
        using var b = Model(3);
        Assert.Equal(Run(a, null, "").Epochs, Run(b, null, "").Epochs);
        using var wrong = new SmallCnn(new SmallCnnConfig { NumClasses = 3 });
        var e = Assert.Throws<ArgumentException>(() => Run(wrong, null, ""));
        Assert.Contains("NumClasses", e.Message);
    }

    [Fact]
    public void A_diverging_pretraining_throws_the_shared_exception()
    {
        using var a = Model(4);
        var e = Assert.Throws<TrainingDivergedException>(() => Run(a, null, "", Options with { LearningRate = 1e30, Optimizer = OptimizerKind.Sgd, ClipNorm = 0 }));
        Assert.Contains("pre-training", e.Message);
    }
}
