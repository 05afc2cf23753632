using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Tests;
using Lah.Training.Batches;
using Xunit;
using static Lah.Training.Tests.SmallHead;

namespace Lah.Training.Tests;

/// <summary>
/// Row "loss": any <see cref="IHashLoss"/> trains in both modes through the one contract (feature mode for every
/// method: CenterLearningTests, LearningTests), and the loop calls the per-epoch hook once per epoch, in order.
/// </summary>
public sealed class LossTests
{
    private static readonly MosaicSetup Mosaic = new(count: 400, queries: 40, train: 300);

    public static IEnumerable<object[]> Methods() => [["hybrid"], ["hashnet"], ["csq"], ["dpsh"]];

    /// <summary>
    /// Losses the old end-to-end trainer could not train (it took the Cauchy loss only) train a small CNN + DCH head
    /// end to end; a loss with centers trains a head that carries them, as the engine builds it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void A_non_cauchy_loss_trains_a_hashing_network_end_to_end_and_its_loss_falls(string method)
    {
        const int bits = 16, labels = 10;
        IHashLoss loss = method switch
        {
            "hybrid" => new HybridHashLoss(labels, bits),
            "hashnet" => new HashNetLoss(),
            "csq" => new CsqLoss(HashCenters.Generate(labels, bits, 1)),
            "dpsh" => new DpshLoss(),
            _ => throw new ArgumentException(method),
        };
        using var network = Mosaic.Network(seed: 1, bits: bits, dch: true, wrap: h => loss.Centers is { } c ? new CenterHashHead(h, c) : h);
        Assert.Equal(loss.Centers is not null, network.Head is CenterHashHead);
        var result = Kit.Fit(network, loss, Mosaic.Batches(16, workers: 1), new TrainerSettings { Epochs = 3, MaxStepsPerEpoch = 6, ClipNorm = 10, Seed = 2 },
            OptimizerKind.Adam, 1e-3);
        var losses = result.Epochs.Select(e => e.MeanLoss).ToList();
        Assert.Equal(18, result.Steps);
        Assert.True(losses[^1] < losses[0], $"{method}: loss did not fall: {string.Join(", ", losses)}");
        // HashNet's β continuation ran: the last epoch's β is β₀·(1 + γ·2)^p, not the initial β₀.
        if (loss is HashNetLoss hashNet)
            Assert.Equal(hashNet.Options.InitialBeta * Math.Pow(1 + hashNet.Options.Gamma * 2, hashNet.Options.Power), hashNet.Beta, 12);
    }

    [Fact]
    public void Begin_epoch_is_called_once_per_epoch_in_order_and_again_for_a_resumed_epoch()
    {
        using var dir = TestPaths.NewTempDir();
        var data = Features(40, 1);
        var settings = new TrainerSettings { Epochs = 3, ClipNorm = 10, Seed = 1, CheckpointDir = dir.Path, CheckpointEverySteps = 1 };

        using (var head = Build(1))
        {
            var loss = new RecordingLoss(MosaicSetup.Loss());
            var result = Kit.Fit(new HeadModel(head), loss, new FeatureBatches(data, 8, seed: 1), settings with { CheckpointDir = null }, OptimizerKind.Adam, 1e-3);
            Assert.Equal([0, 1, 2], loss.BeganEpochs);
            Assert.Equal(15, result.Steps);
            Assert.Equal(15, loss.Computed);
        }

        // Killed after step 7 (epoch 1's second batch), resumed: epoch 1 begins again (HashNet's β must be epoch 1's), then 2.
        using (var head = Build(1))
        {
            var loss = new RecordingLoss(MosaicSetup.Loss());
            Assert.Throws<TrainingStopped>(() => Kit.Fit(new HeadModel(head), loss, new FeatureBatches(data, 8, seed: 1), settings,
                OptimizerKind.Adam, 1e-3, hooks: new TrainingHooks { StopAfterStep = 7 }));
            Assert.Equal([0, 1], loss.BeganEpochs);
        }
        using (var head = Build(1))
        {
            var loss = new RecordingLoss(MosaicSetup.Loss());
            var result = Kit.Fit(new HeadModel(head), loss, new FeatureBatches(data, 8, seed: 1), settings, OptimizerKind.Adam, 1e-3);
            Assert.Equal([1, 2], loss.BeganEpochs);
            Assert.Equal(8, loss.Computed); // batches 2..4 of epoch 1, all of epoch 2
            Assert.Equal(15, result.Steps);
        }
    }
}
