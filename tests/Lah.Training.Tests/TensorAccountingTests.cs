using Lah.Tests;
using Lah.Training.Caching;
using Lah.Training.Inference;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>The live-tensor count is process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(SerialTensorAccounting), DisableParallelization = true)]
public sealed class SerialTensorAccounting;

/// <summary>Native memory is owned: a training run holds a fixed set of tensors, and gives all of them back.</summary>
[Collection(nameof(SerialTensorAccounting))]
public sealed class TensorAccountingTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 50, train: 200);

    /// <param name="checkpoints">best weights on disk (best.safetensors) or, without a folder, copied in memory</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void End_to_end_training_holds_the_same_tensors_at_every_step_and_releases_them_all(bool checkpoints)
    {
        using var dir = TestPaths.NewTempDir();
        using var network = Mosaic.Network(seed: 9);
        long before = Torch.LiveTensorCount;
        var live = new List<long>();
        var hooks = new TrainingHooks { TransformBatch = b => { live.Add(Torch.LiveTensorCount); return b; } };
        var settings = new TrainerSettings
        {
            Epochs = 3,
            MaxStepsPerEpoch = 4,
            ClipNorm = 10,
            Seed = 3,
            CheckpointDir = checkpoints ? dir.Path : null,
            Selection = EpochSelection.BestValidation,
        };
        // Every epoch is the best so far: the kept copy is replaced each time.
        var scorer = DelegateScorer.Selecting(e => e);
        using (var optimizer = Kit.Optimizer(network, OptimizerKind.Sgd, 0.05, weightDecay: 1e-4))
        using (var trainer = new Trainer(network, MosaicSetup.Loss(), Mosaic.Batches(16, workers: 1), optimizer, null, settings, scorer, hooks: hooks))
            trainer.Fit();

        Assert.Equal(12, live.Count);
        // From the second step on, optimizer state (momentum) exists; without a folder, from the second epoch on so
        // does the best epoch's copy in memory, and it is replaced, not added to.
        Assert.All(live.Skip(1).Take(3), n => Assert.Equal(live[1], n));
        Assert.All(live.Skip(4), n => Assert.Equal(live[4], n));
        Assert.True(checkpoints ? live[4] == live[1] : live[4] > live[1], $"live tensors by step: {string.Join(", ", live)}");
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void Feature_caching_and_encoding_release_every_tensor()
    {
        using var dir = TestPaths.NewTempDir();
        using var network = Mosaic.Network(seed: 10);
        long before = Torch.LiveTensorCount;
        var items = Enumerable.Range(0, 64).ToArray();
        new FeatureCache(dir.Path).GetOrCompute(network.Backbone, "smallcnn", Mosaic.Dataset, items, Mosaic.Transform,
            batchSize: 16, shardSize: 32, workers: 1);
        ImageEncoder.Encode(network, Mosaic.Dataset, items, Mosaic.Transform, 16, Lah.Torch.Device.CPU, workers: 1);
        Assert.Equal(before, Torch.LiveTensorCount);
    }
}
