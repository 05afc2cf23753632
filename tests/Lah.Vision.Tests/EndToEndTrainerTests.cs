using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Retrieval;
using Lah.Retrieval.Metrics;
using Lah.Tests;
using Lah.Torch;
using Lah.Training.EndToEnd;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class EndToEndTrainerTests
{
    private static readonly MosaicSetup Mosaic = new();

    private static EndToEndOptions Small(string? dir, int epochs = 3, int steps = 6) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        MaxStepsPerEpoch = steps,
        LearningRate = 0.05,
        BackboneLrMultiplier = 1,
        Seed = 3,
        Workers = 1,
        ShowProgress = false,
        CheckpointDir = dir,
        EvalBatchSize = 128,
    };

    /// <summary>
    /// From scratch on the CPU: a small CNN + LAH head, 100 steps of 32 images at 32×32, must give 32-bit codes whose
    /// DCH MAP@H≤2 is far above that of random codes, with a precision inside the radius-2 balls well above the share
    /// of relevant pairs (so the codes separate items, rather than collapsing into one ball that holds everything).
    /// </summary>
    [Fact]
    public void Small_cnn_and_lah_head_learn_codes_far_better_than_random_on_fashion_mosaic()
    {
        using var network = Mosaic.Network(seed: 1);
        // At this size the official quantization weight λ = 2 drives every code to the same corner; λ = 0.1 does not.
        var loss = new CauchyHashLoss(new HashLossConfig { Lambda = 0.1 });
        var options = Small(null, epochs: 4, steps: 25) with { BatchSize = 32, LearningRate = 0.03 };
        using var trainer = new EndToEndTrainer(network, loss, options);
        var result = trainer.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);

        // Random ±1 codes on the same items: the radius-2 balls of 32-bit codes are almost always empty.
        var rng = new Random(5);
        float[] RandomCodes(int n) => Enumerable.Range(0, n * 32).Select(_ => rng.Next(2) == 0 ? -1f : 1f).ToArray();
        float[] Labels(int[] idx) => idx.SelectMany(i => Mosaic.Dataset[i].Labels.ToMultiHot()).ToArray();
        int nq = Mosaic.Split.Query.Length, ndb = Mosaic.Split.Database.Length;
        var q = RandomCodes(nq);
        var db = RandomCodes(ndb);
        var random = RetrievalMetrics.Dch(PackedCodes.FromSigns(q, nq, 32), q, Labels(Mosaic.Split.Query),
            PackedCodes.FromSigns(db, ndb, 32), db, Labels(Mosaic.Split.Database), 2);
        // All codes equal: every ball holds the whole database and its precision is the share of relevant pairs.
        float[] Same(int n) => Enumerable.Repeat(1f, n * 32).ToArray();
        var collapsed = RetrievalMetrics.Dch(PackedCodes.FromSigns(Same(nq), nq, 32), null, Labels(Mosaic.Split.Query),
            PackedCodes.FromSigns(Same(ndb), ndb, 32), null, Labels(Mosaic.Split.Database), 2);

        var summary = $"trained MAP@H≤2 {result.TestMap:F3} P {result.TestPrecision:F3} R {result.TestRecall:F3}; random codes MAP {random.Map:F3}; " +
            $"collapsed codes P {collapsed.Precision:F3}; epochs: {string.Join(" | ", result.Epochs)}";
        Assert.Equal(100, result.TotalSteps);
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss, "loss did not fall: " + summary);
        Assert.True(result.TestMap > 0.8 && result.TestMap > random.Map + 0.5, summary);
        Assert.True(result.TestPrecision > collapsed.Precision + 0.1, summary);
    }

    private static Dictionary<string, float[]> Weights(HashingNetwork n) =>
        n.StateDict().Where(kv => kv.Value.DType == DType.Float32).ToDictionary(kv => kv.Key, kv => kv.Value.ToFloatArray());

    [Fact]
    public void A_run_killed_at_any_step_and_resumed_ends_with_exactly_the_uninterrupted_metrics_and_weights()
    {
        EndToEndResult reference;
        Dictionary<string, float[]> referenceWeights;
        using (var dir = TestPaths.NewTempDir())
        using (var network = Mosaic.Network(seed: 2))
        using (var trainer = new EndToEndTrainer(network, MosaicSetup.Loss(), Small(dir.Path) with { CheckpointEverySteps = 4 }))
        {
            reference = trainer.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);
            referenceWeights = Weights(network);
        }

        using var killed = TestPaths.NewTempDir();
        var options = Small(killed.Path) with { CheckpointEverySteps = 4 };
        // Kill after the last step of epoch 1 (before its evaluation and checkpoint), then mid-epoch 3 just after a
        // mid-epoch checkpoint, then mid-epoch 3 again after one more step; each resumes from what was on disk.
        long[] kills = [6, 16, 17];
        foreach (var stop in kills)
        {
            // The first run starts like the reference; later ones start elsewhere: the checkpoint must replace their weights.
            using var n = Mosaic.Network(seed: stop == kills[0] ? 2 : 99);
            using var tr = new EndToEndTrainer(n, MosaicSetup.Loss(), options, new TrainingHooks { StopAfterStep = stop });
            var e = Assert.Throws<TrainingStopped>(() => tr.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform));
            Assert.Equal(stop, e.Step);
            Torch.ManualSeed(12345); // whatever the process does in between must not matter
        }
        using var resumedNet = Mosaic.Network(seed: 77);
        using var resumed = new EndToEndTrainer(resumedNet, MosaicSetup.Loss(), options);
        var result = resumed.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);

        Assert.Equal(reference.Epochs, result.Epochs);
        Assert.Equal(reference.SelectedEpoch, result.SelectedEpoch);
        Assert.Equal(reference.TestMap, result.TestMap);
        Assert.Equal(reference.TotalSteps, result.TotalSteps);
        var w = Weights(resumedNet);
        foreach (var (name, values) in referenceWeights) Assert.True(values.AsSpan().SequenceEqual(w[name]), $"{name} differs after resume");
    }

    [Fact]
    public void Selection_uses_validation_by_default_and_the_test_set_only_when_asked()
    {
        using var a = Mosaic.Network(seed: 4);
        using var ta = new EndToEndTrainer(a, MosaicSetup.Loss(), Small(null, epochs: 3, steps: 4));
        var byValidation = ta.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);
        Assert.Equal(ModelSelection.Validation, byValidation.SelectedBy);
        Assert.All(byValidation.Epochs, e => Assert.NotNull(e.ValidationMap));
        var bestVal = byValidation.Epochs.Select(e => e.ValidationMap!.Value).Max();
        Assert.Equal(bestVal, byValidation.Epochs[byValidation.SelectedEpoch].ValidationMap);
        Assert.Equal(byValidation.Epochs[byValidation.SelectedEpoch].TestMap, byValidation.TestMap);

        using var b = Mosaic.Network(seed: 4);
        using var tb = new EndToEndTrainer(b, MosaicSetup.Loss(), Small(null, epochs: 3, steps: 4) with { Selection = ModelSelection.BestTestMap });
        var byTest = tb.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);
        Assert.Equal(byTest.Epochs.Select(e => e.TestMap!.Value).Max(), byTest.TestMap);
        // The same seed trains the same epochs; only the choice differs.
        Assert.Equal(byValidation.Epochs, byTest.Epochs);
    }

    [Fact]
    public void A_nan_loss_stops_the_run_naming_step_and_batch_and_keeps_the_last_good_checkpoint()
    {
        using var dir = TestPaths.NewTempDir();
        using var network = Mosaic.Network(seed: 5);
        // The 7th batch served (epoch 2's third, batch number 2, global step 7 at 4 steps per epoch) becomes NaN.
        int batchesSeen = 0;
        var hooks = new TrainingHooks
        {
            TransformBatch = b => ++batchesSeen == 7 ? b with { Images = Enumerable.Repeat(float.NaN, b.Images.Length).ToArray() } : b,
        };
        var options = Small(dir.Path, epochs: 3, steps: 4);
        using var trainer = new EndToEndTrainer(network, MosaicSetup.Loss(), options, hooks);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform));
        Assert.Equal(7, e.Step);
        Assert.Equal(1, e.Epoch);
        Assert.Equal(2, e.Batch);
        Assert.Contains("step 7", e.Message);
        Assert.Contains("batch 2", e.Message);
        Assert.Contains(EndToEndTrainer.CheckpointFile, e.Message);
        var state = TrainingCheckpoint.ReadState(Path.Combine(dir.Path, EndToEndTrainer.CheckpointFile));
        Assert.Equal(1, state.Epoch);
        Assert.Equal(4, state.GlobalStep);
        Assert.Single(state.History);
        Assert.True(double.IsFinite(state.History[0].MeanLoss));
    }

    [Fact]
    public void Cuda_by_configuration_is_a_clear_error_where_there_is_none()
    {
        if (Device.CudaAvailable)
        {
            Assert.Equal(Device.Cuda(0), EndToEndTrainer.ResolveDevice("cuda"));
            return;
        }
        var e = Assert.Throws<InvalidOperationException>(() => EndToEndTrainer.ResolveDevice("cuda"));
        Assert.Contains("EndToEndOptions.Device", e.Message);
        Assert.Contains("0 CUDA device", e.Message);
        using var network = Mosaic.Network(seed: 6);
        Assert.Throws<InvalidOperationException>(() => new EndToEndTrainer(network, MosaicSetup.Loss(), Small(null) with { Device = "cuda:0" }));
        Assert.Throws<ArgumentException>(() => EndToEndTrainer.ResolveDevice("tpu"));
        Assert.Contains("reads the loss", Assert.Throws<ArgumentException>(() => EndToEndTrainer.ResolveDevice("meta")).Message);
    }

    [Fact]
    public void Resuming_under_other_settings_is_refused_naming_the_checkpoint()
    {
        using var dir = TestPaths.NewTempDir();
        using (var n = Mosaic.Network(seed: 7))
        using (var t = new EndToEndTrainer(n, MosaicSetup.Loss(), Small(dir.Path, epochs: 1, steps: 2)))
            t.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);
        using var n2 = Mosaic.Network(seed: 7);
        using var t2 = new EndToEndTrainer(n2, MosaicSetup.Loss(), Small(dir.Path, epochs: 2, steps: 2) with { LearningRate = 0.2 });
        var e = Assert.Throws<InvalidOperationException>(() => t2.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform));
        Assert.Contains(EndToEndTrainer.CheckpointFile, e.Message);
        Assert.Contains("lr=0.2", e.Message);
    }

    [Fact]
    public void The_experiment_key_is_part_of_the_resume_fingerprint()
    {
        var a = Small(null) with { ExperimentKey = "sha256:aaaa" };
        Assert.Contains("experiment=sha256:aaaa", a.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), (a with { ExperimentKey = "sha256:bbbb" }).Fingerprint());
    }

    [Fact]
    public void The_protocol_option_decides_and_a_split_of_the_other_protocol_is_refused()
    {
        using var network = Mosaic.Network(seed: 8);
        using var trainer = new EndToEndTrainer(network, MosaicSetup.Loss(), Small(null) with { Protocol = EvaluationProtocol.LahOfficial });
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform));
        Assert.Contains("EndToEndOptions.Protocol", e.Message);
        Assert.Contains("'dch'", e.Message);
    }
}
