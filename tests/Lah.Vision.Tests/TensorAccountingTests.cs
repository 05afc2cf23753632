using Lah.Data;
using Lah.Tests;
using Lah.Training.Caching;
using Lah.Training.EndToEnd;
using Xunit;

namespace Lah.Vision.Tests;

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

    [Fact]
    public void End_to_end_training_holds_the_same_tensors_at_every_step_and_releases_them_all()
    {
        using var dir = TestPaths.NewTempDir();
        using var network = Mosaic.Network(seed: 9);
        long before = Torch.LiveTensorCount;
        var live = new List<long>();
        var hooks = new TrainingHooks { TransformBatch = b => { live.Add(Torch.LiveTensorCount); return b; } };
        var options = new EndToEndOptions
        {
            Epochs = 3,
            BatchSize = 16,
            MaxStepsPerEpoch = 4,
            LearningRate = 0.05,
            Seed = 3,
            Workers = 1,
            ShowProgress = false,
            CheckpointDir = dir.Path,
            EvalBatchSize = 64,
        };
        using (var trainer = new EndToEndTrainer(network, MosaicSetup.Loss(), options, hooks))
            trainer.Fit(Mosaic.Dataset, Mosaic.Split, Mosaic.Transform, Mosaic.Transform);

        Assert.Equal(12, live.Count);
        // From the second step on, optimizer state exists; from the second epoch on, so does the best epoch's copy.
        Assert.All(live.Skip(1).Take(3), n => Assert.Equal(live[1], n));
        Assert.All(live.Skip(4), n => Assert.Equal(live[4], n));
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
