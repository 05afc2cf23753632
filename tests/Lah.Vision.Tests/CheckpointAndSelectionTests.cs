using Lah.Data;
using Lah.Tests;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Torch.Serialization;
using Lah.Training.EndToEnd;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class CheckpointAndSelectionTests
{
    private static EpochRecord Epoch(int i, double testMap, double testLoss, double? validation = null) =>
        new(i, 1.0, 4, 0.1, validation, testMap, 0.5, 0.5, testMap / 2, testLoss);

    [Fact]
    public void Official_selection_keeps_the_lowest_test_loss_and_best_test_map_the_highest_map()
    {
        // Epoch 1 has the best MAP, epoch 2 the lowest loss, epoch 0 the best validation MAP.
        EpochRecord[] history = [Epoch(0, 0.30, 0.9, 0.8), Epoch(1, 0.50, 0.7, 0.6), Epoch(2, 0.40, 0.6, 0.7), Epoch(3, 0.45, 0.6, 0.1)];
        Assert.Equal(2, ModelSelection.OfficialTestLoss.Select(history));
        Assert.Equal(1, ModelSelection.BestTestMap.Select(history));
        Assert.Equal(0, ModelSelection.Validation.Select(history));
        // A missing loss (no pair in the test batches) never beats a number.
        Assert.Equal(1, ModelSelection.OfficialTestLoss.Select([Epoch(0, 0.1, double.NaN) with { TestLoss = null }, Epoch(1, 0.1, 2.0)]));
    }

    [Fact]
    public void Official_protocol_runs_record_both_map_averages_and_the_test_loss_and_select_by_loss()
    {
        var mosaic = new MosaicSetup(count: 300, queries: 60, train: 200);
        using var network = mosaic.Network(seed: 6, bits: 16);
        var options = new EndToEndOptions
        {
            Epochs = 3,
            BatchSize = 16,
            MaxStepsPerEpoch = 3,
            LearningRate = 0.05,
            Seed = 3,
            Workers = 1,
            ShowProgress = false,
            EvalBatchSize = 32,
            Protocol = EvaluationProtocol.LahOfficial,
            Selection = ModelSelection.OfficialTestLoss,
        };
        using var trainer = new EndToEndTrainer(network, MosaicSetup.Loss(), options);
        // The official protocol searches its test set leave-one-out: the split must be of that kind.
        var split = Splits.SeededLah(mosaic.Dataset.Count, 60, 5);
        var result = trainer.Fit(mosaic.Dataset, split, mosaic.Transform, mosaic.Transform);
        Assert.All(result.Epochs, e =>
        {
            Assert.NotNull(e.TestMap2);
            Assert.True(e.TestLoss is > 0 and < double.PositiveInfinity, $"epoch {e.Epoch}: test loss {e.TestLoss}");
        });
        Assert.Equal(ModelSelection.OfficialTestLoss, result.SelectedBy);
        Assert.Equal(ModelSelection.OfficialTestLoss.Select(result.Epochs), result.SelectedEpoch);
        Assert.Equal(result.Epochs.Min(e => e.TestLoss), result.Epochs[result.SelectedEpoch].TestLoss);
    }

    [Fact]
    public void Checkpoints_round_trip_and_hold_cuda_generator_state_only_where_cuda_exists()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "c.safetensors");
        var mosaic = new MosaicSetup(count: 60, queries: 10, train: 40);
        using var network = mosaic.Network(seed: 8, bits: 8);
        using var opt = new SGD(network.Parameters(), 0.1, momentum: 0.9);
        using var generator = new Generator(12);
        var state = new TrainerState { Epoch = 2, GlobalStep = 17, Fingerprint = "f" };
        TrainingCheckpoint.Save(path, network, opt, generator, state);
        using var scope = Torch.NewScope();
        var expected = Torch.Rand([5], generator).ToFloatArray();

        using (var file = SafeTensorsFile.Open(path))
        {
            var cuda = file.Tensors.Select(t => t.Name).Where(n => n.StartsWith("rng.cuda.", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, Device.CudaDeviceCount).Select(i => $"rng.cuda.{i}"), cuda);
        }
        generator.ManualSeed(99);
        var loaded = TrainingCheckpoint.Load(path, network, opt, generator);
        Assert.Equal(17, loaded.GlobalStep);
        Assert.Equal(expected, Torch.Rand([5], generator).ToFloatArray());
    }

    [Fact]
    [Trait("Category", "Gpu")]
    public void Checkpoints_restore_the_cuda_generator()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "c.safetensors");
        var mosaic = new MosaicSetup(count: 60, queries: 10, train: 40);
        using var network = mosaic.Network(seed: 8, bits: 8);
        using var opt = new SGD(network.Parameters(), 0.1);
        Torch.ManualSeed(12);
        using var scope = Torch.NewScope();
        Torch.Rand([3], device: Device.Cuda()); // advance the CUDA generator past its seed
        using var generator = new Generator(12);
        TrainingCheckpoint.Save(path, network, opt, generator, new TrainerState());
        var expected = Torch.Rand([5], device: Device.Cuda()).Cpu().ToFloatArray();
        Torch.ManualSeed(99);
        TrainingCheckpoint.Load(path, network, opt, generator);
        Assert.Equal(expected, Torch.Rand([5], device: Device.Cuda()).Cpu().ToFloatArray());
    }
}
