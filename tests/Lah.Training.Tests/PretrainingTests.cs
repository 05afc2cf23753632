using Lah.Hashing.Losses;
using Lah.Tests;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Vision;
using Lah.Vision.Models;
using Lah.Vision.Registry;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Classification pre-training of a backbone is the same loop: <see cref="ClassifierModel"/> (the backbone's own
/// classifier gives one logit per label) with ML-GCN's <see cref="MultiLabelSoftMarginLoss"/> over image batches.
/// </summary>
public sealed class PretrainingTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 60, train: 200);

    /// <summary>The registry's small CNN (default widths, so the registry can read its weights back), average pooling.</summary>
    private static SmallCnn Model(long seed, int classes = 10)
    {
        using var gen = new Generator(seed);
        return new SmallCnn(new SmallCnnConfig { NumClasses = classes, Pooling = GlobalPooling.Average }, gen);
    }

    private static TrainerSettings Settings(string? dir = null, string fingerprint = "") =>
        new() { Epochs = 2, MaxStepsPerEpoch = 4, ClipNorm = 10, Seed = 5, CheckpointDir = dir, Fingerprint = fingerprint };

    /// <summary>Adam at 3e-3 with a cosine schedule over the run (the pre-training defaults of the quick recipe).</summary>
    private static TrainingResult Run(SmallCnn backbone, TrainerSettings settings, OptimizerKind kind = OptimizerKind.Adam, double lr = 3e-3)
    {
        var model = new ClassifierModel(backbone);
        return Kit.Fit(model, new MultiLabelSoftMarginLoss(), Mosaic.Batches(16, seed: 5), settings, kind, lr,
            schedule: o => new CosineAnnealingLR(o, settings.Epochs));
    }

    [Fact]
    public void Pretraining_trains_the_classifier_and_a_finished_run_is_read_back_not_retrained()
    {
        using var dir = TestPaths.NewTempDir();
        using var a = Model(1);
        var trained = Run(a, Settings(dir.Path, "data=abc"));
        Assert.Equal(2, trained.Epochs.Count);
        Assert.All(trained.Epochs, e => Assert.Equal(4, e.Steps));
        Assert.All(trained.Epochs, e => Assert.True(double.IsFinite(e.MeanLoss) && e.MeanLoss > 0, $"loss {e.MeanLoss}"));
        Assert.True(trained.Epochs[1].LearningRate < trained.Epochs[0].LearningRate, "the cosine schedule decays");
        Assert.Equal(["backbone"], new ClassifierModel(a).OptimizedGroups().Select(g => g.Name));

        // The same settings over the finished checkpoint: nothing trains, the weights and history are read back.
        using var b = Model(2);
        var events = new RecordingEvents();
        var again = Kit.Fit(new ClassifierModel(b), new MultiLabelSoftMarginLoss(), Mosaic.Batches(16, seed: 5), Settings(dir.Path, "data=abc"),
            OptimizerKind.Adam, 3e-3, events: events);
        Assert.Empty(events.Steps);
        Kit.AssertSameHistory(trained.Epochs, again.Epochs);
        Kit.AssertSameWeights(Kit.Weights(a), b);

        // Another fingerprint over the same folder is refused, naming the file (the caller picks a folder per key).
        using var c = Model(2);
        var e = Assert.Throws<InvalidOperationException>(() => Run(c, Settings(dir.Path, "data=other")));
        Assert.Contains(Path.Combine(dir.Path, Trainer.CheckpointFile), e.Message);

        // The backbone's weights are a registry weights file: a feature backbone (classifier dropped) with the same features.
        var path = dir.File("smallcnn-abc.safetensors");
        a.SaveSafeTensors(path);
        using var e2 = ModelRegistry.Default.Create("smallcnn", new ModelOptions { WeightsFile = path, NumClasses = 0, Pooling = GlobalPooling.Average });
        e2.Eval();
        a.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = Torch.Rand([2, 3, 32, 32]);
        Assert.Equal(a.ForwardPooled(x).ToFloatArray(), e2.ForwardPooled(x).ToFloatArray());
    }

    [Fact]
    public void Pretraining_is_seeded_and_refuses_a_model_without_a_matching_classifier()
    {
        using var a = Model(3);
        using var b = Model(3);
        Kit.AssertSameHistory(Run(a, Settings()).Epochs, Run(b, Settings()).Epochs);
        Kit.AssertSameWeights(Kit.Weights(a), b);

        using var none = Model(3, classes: 0);
        Assert.Contains("NumClasses", Assert.Throws<ArgumentException>(() => new ClassifierModel(none)).Message);
        using var wrong = Model(3, classes: 3);
        var e = Assert.Throws<ArgumentException>(() => Run(wrong, Settings()));
        Assert.Contains("10 label columns", e.Message);
        Assert.Contains("built for 3", e.Message);
    }

    [Fact]
    public void A_diverging_pretraining_throws_the_shared_exception()
    {
        using var a = Model(4);
        var e = Assert.Throws<TrainingDivergedException>(() => Run(a, Settings() with { ClipNorm = 0 }, OptimizerKind.Sgd, 1e30));
        Assert.Contains("loss (classification) is", e.Message);
        Assert.True(e.Step >= 2, $"step {e.Step}: the first step's loss is finite");
    }
}
