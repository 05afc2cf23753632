using Lah.Tests;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>The checkpoint file itself (the loop's resume is in ResumeTests).</summary>
public sealed class CheckpointTests
{
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
        Assert.Equal("f", loaded.Fingerprint);
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

    [Fact]
    public void A_file_that_is_no_checkpoint_is_refused_naming_it()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "weights.safetensors");
        var mosaic = new MosaicSetup(count: 60, queries: 10, train: 40);
        using var network = mosaic.Network(seed: 8, bits: 8);
        network.SaveSafeTensors(path);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.ReadState(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a training checkpoint", e.Message);
    }

    [Theory]
    [InlineData(0.5, double.NaN, true)] // the first number wins over nothing
    [InlineData(0.6, 0.5, true)]
    [InlineData(0.5, 0.5, false)] // a tie keeps the earlier epoch
    [InlineData(0.4, 0.5, false)]
    [InlineData(double.NaN, 0.5, false)] // NaN never wins
    [InlineData(double.NaN, double.NaN, false)]
    public void Improves_is_strictly_greater_and_never_nan(double score, double best, bool improves) =>
        Assert.Equal(improves, Trainer.Improves(score, best));
}
