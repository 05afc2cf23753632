using Lah.Hashing.Losses;
using Lah.Tests;
using Lah.Torch.NN;
using Lah.Torch.Optim;
using Lah.Training.Batches;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Row "checkpoint/resume": in every mode a run killed at any step (inside an epoch, right after a mid-epoch checkpoint,
/// at an epoch's last step before its checkpoint) and resumed ends with exactly the weights and history of an
/// uninterrupted run; a checkpoint of other settings is refused; a NaN loss stops the run and keeps the last good checkpoint.
/// </summary>
public sealed class ResumeTests
{
    private static readonly MosaicSetup Mosaic = new(count: 400, queries: 40, train: 300);

    /// <summary>One mode's run: a model from a seed, and a fit of it into a checkpoint folder (null: none) with hooks.</summary>
    private sealed record Mode(Func<long, ITrainable> Model, Func<ITrainable, string?, TrainingHooks?, TrainingResult> Fit);

    private static TrainerSettings Settings(string? dir, int epochs, int? steps, int every) =>
        new() { Epochs = epochs, MaxStepsPerEpoch = steps, ClipNorm = 10, Seed = 4, CheckpointDir = dir, CheckpointEverySteps = every, Fingerprint = "test" };

    /// <summary>Feature mode: a LAH head with dropout, Adam with a cosine schedule; 3 epochs of 5 steps, checkpoints every 2.</summary>
    private static Mode Features()
    {
        var data = SmallHead.Features(40, 5);
        return new(seed => new HeadModel(SmallHead.Build((int)seed, dropout: 0.1)), (model, dir, hooks) =>
            Kit.Fit(model, MosaicSetup.Loss(), new FeatureBatches(data, 8, seed: 2), Settings(dir, 3, null, 2), OptimizerKind.Adam, 1e-3,
                schedule: o => new CosineAnnealingLR(o, 3), hooks: hooks));
    }

    /// <summary>
    /// End to end: small CNN (batch norm) + LAH head (dropout), SGD with momentum, the backbone at a tenth of the head's
    /// rate, a cosine schedule; 3 epochs of 6 steps, checkpoints every 4.
    /// </summary>
    private static Mode EndToEnd() => new(seed => Mosaic.Network(seed, bits: 16), (model, dir, hooks) =>
        Kit.Fit(model, MosaicSetup.Loss(), Mosaic.Batches(16, workers: 1), Settings(dir, 3, 6, 4), OptimizerKind.Sgd, 0.05, weightDecay: 1e-4,
            schedule: o => new CosineAnnealingLR(o, 3), hooks: hooks, rateOf: g => g == "backbone" ? 0.005 : 0.05));

    /// <summary>Classification pre-training: small CNN with its classifier, BCE, Adam; 2 epochs of 4 steps, checkpoints every 3.</summary>
    private static Mode Pretraining() => new(seed => new ClassifierModel(MosaicSetup.Classifier(seed)), (model, dir, hooks) =>
        Kit.Fit(model, new MultiLabelSoftMarginLoss(), Mosaic.Batches(16, workers: 1), Settings(dir, 2, 4, 3), OptimizerKind.Adam, 3e-3,
            schedule: o => new MultiStepLR(o, [1], 0.5), hooks: hooks));

    public static IEnumerable<object[]> Kills() =>
    [
        // Step 5: the last of epoch 0 (before its checkpoint); 8: just after a mid-epoch checkpoint; 9: one step past it;
        // 11: epoch 2's first step (the next run resumes from epoch 1's end); 13.
        ["features", new long[] { 5, 8, 9, 11, 13 }],
        // Step 6: the last of epoch 0; 13: epoch 2's first; 16: just after a mid-epoch checkpoint in epoch 2; 17: one more step.
        ["end to end", new long[] { 6, 13, 16, 17 }],
        // Step 3: just after a mid-epoch checkpoint; 4: the last of epoch 0; 6: just after epoch 1's mid-epoch checkpoint.
        ["pre-training", new long[] { 3, 4, 6 }],
    ];

    [Theory]
    [MemberData(nameof(Kills))]
    public void A_run_killed_at_any_step_and_resumed_ends_with_exactly_the_uninterrupted_weights_and_history(string name, long[] kills)
    {
        var mode = name switch { "features" => Features(), "end to end" => EndToEnd(), _ => Pretraining() };
        TrainingResult reference;
        Dictionary<string, float[]> referenceWeights;
        using (var dir = TestPaths.NewTempDir())
        {
            var model = mode.Model(2);
            using (model.Module)
            {
                reference = mode.Fit(model, dir.Path, null);
                referenceWeights = Kit.Weights(model.Module);
            }
        }

        using var killed = TestPaths.NewTempDir();
        foreach (var stop in kills)
        {
            // The first run starts like the reference; later ones start elsewhere: the checkpoint must replace their weights.
            var model = mode.Model(stop == kills[0] ? 2 : 99);
            using (model.Module)
            {
                var e = Assert.Throws<TrainingStopped>(() => mode.Fit(model, killed.Path, new TrainingHooks { StopAfterStep = stop }));
                Assert.Equal(stop, e.Step);
            }
            Torch.ManualSeed(12345); // whatever the process does in between must not matter
            Torch.Rand([7]).Dispose();
        }
        var resumed = mode.Model(77);
        using (resumed.Module)
        {
            var result = mode.Fit(resumed, killed.Path, null);
            Kit.AssertSameHistory(reference.Epochs, result.Epochs);
            Assert.Equal(reference.SelectedEpoch, result.SelectedEpoch);
            Assert.Equal(reference.Steps, result.Steps);
            Kit.AssertSameWeights(referenceWeights, resumed.Module);
        }
    }

    [Fact]
    public void A_checkpoint_of_other_settings_is_refused_naming_the_file_and_both_descriptions()
    {
        using var dir = TestPaths.NewTempDir();
        var data = SmallHead.Features(32, 1);
        TrainingResult Run(TrainerSettings s, RecordingEvents? events = null)
        {
            using var head = SmallHead.Build(1);
            return Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(data, 8, seed: 1), s, OptimizerKind.Sgd, 0.01, events: events);
        }
        var settings = new TrainerSettings { Epochs = 1, ClipNorm = 10, CheckpointDir = dir.Path, Fingerprint = "sha256:aaaa" };
        Run(settings);

        var path = Path.Combine(dir.Path, Trainer.CheckpointFile);
        foreach (var other in new[] { settings with { Fingerprint = "sha256:bbbb" }, settings with { ClipNorm = 5 }, settings with { Seed = 1 } })
        {
            var e = Assert.Throws<InvalidOperationException>(() => Run(other));
            Assert.Contains(path, e.Message);
            Assert.Contains(settings.Describe(), e.Message);
            Assert.Contains(other.Describe(), e.Message);
        }
        // More epochs under the same settings extend the run: only the new epoch trains.
        var events = new RecordingEvents();
        var extended = Run(settings with { Epochs = 2 }, events);
        Assert.Equal(2, extended.Epochs.Count);
        Assert.Equal(4, events.Steps.Count);
        Assert.Single(events.Messages);
    }

    [Fact]
    public void The_callers_key_and_every_result_relevant_setting_are_in_the_description()
    {
        var a = new TrainerSettings { Fingerprint = "sha256:aaaa" };
        Assert.Contains("key=sha256:aaaa", a.Describe());
        Assert.NotEqual(a.Describe(), (a with { Fingerprint = "sha256:bbbb" }).Describe());
        Assert.NotEqual(a.Describe(), (a with { Seed = 1 }).Describe());
        Assert.NotEqual(a.Describe(), (a with { ClipNorm = 1 }).Describe());
        Assert.NotEqual(a.Describe(), (a with { Selection = EpochSelection.BestValidation }).Describe());
        Assert.NotEqual(a.Describe(), (a with { MaxStepsPerEpoch = 3 }).Describe());
        // The length of the run and where it writes do not change what each epoch computes.
        Assert.Equal(a.Describe(), (a with { Epochs = 9, CheckpointDir = "elsewhere", CheckpointEverySteps = 2 }).Describe());
    }

    [Fact]
    public void A_nan_loss_stops_the_run_naming_step_epoch_and_batch_and_keeps_the_last_good_checkpoint_intact()
    {
        using var dir = TestPaths.NewTempDir();
        using var network = Mosaic.Network(seed: 5, bits: 16);
        var path = Path.Combine(dir.Path, Trainer.CheckpointFile);
        // The 7th batch served (epoch 2's third, batch number 2, global step 7 at 4 steps per epoch) becomes NaN.
        int batchesSeen = 0;
        byte[]? good = null;
        var hooks = new TrainingHooks
        {
            TransformBatch = b =>
            {
                if (++batchesSeen != 7) return b;
                good = File.ReadAllBytes(path);
                return b with { Input = Enumerable.Repeat(float.NaN, b.Input.Length).ToArray() };
            },
        };
        var e = Assert.Throws<TrainingDivergedException>(() => Kit.Fit(network, MosaicSetup.Loss(), Mosaic.Batches(16),
            new TrainerSettings { Epochs = 3, MaxStepsPerEpoch = 4, ClipNorm = 10, Seed = 3, CheckpointDir = dir.Path }, OptimizerKind.Sgd, 0.05,
            hooks: hooks));
        Assert.Equal(7, e.Step);
        Assert.Equal(1, e.Epoch);
        Assert.Equal(2, e.Batch);
        Assert.True(double.IsNaN(e.Value));
        Assert.Contains("step 7", e.Message);
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains("batch 2", e.Message);
        Assert.Contains($"the last good checkpoint {path} (epoch 1, step 4) is kept", e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
        var state = TrainingCheckpoint.ReadState(path);
        Assert.Equal(1, state.Epoch);
        Assert.Equal(4, state.GlobalStep);
        Assert.Single(state.History);
        Assert.True(double.IsFinite(state.History[0].MeanLoss));
    }
}
