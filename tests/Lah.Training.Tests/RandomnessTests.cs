using Lah.Torch.NN;
using Lah.Training.Batches;
using Xunit;
using static Lah.Training.Tests.SmallHead;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Row "randomness": the loop draws only from explicit generators (its own for dropout, seeded from
/// <see cref="TrainerSettings.Seed"/>; the batch source's for the order), so the same seeds give bit-identical weights
/// even when other code draws from libtorch's process-global generator before, between and during runs.
/// </summary>
public sealed class RandomnessTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 40, train: 200);

    /// <summary>Other code's draws from the global generator: in the scorer (after every epoch) and before every batch.</summary>
    private static (IEpochScorer? Scorer, TrainingHooks? Hooks) GlobalDraws() =>
        (new DelegateScorer(_ =>
        {
            using var scope = Torch.NewScope();
            return new EpochScore(new Dictionary<string, double> { ["noise"] = Torch.Rand([64]).Mean().ItemDouble() }, double.NaN);
        }),
        new TrainingHooks
        {
            TransformBatch = b =>
            {
                using var scope = Torch.NewScope();
                Torch.Rand([16]);
                return b;
            },
        });

    private static Dictionary<string, float[]> FeatureRun(long seed, ulong orderSeed, bool disturb)
    {
        using var head = Build(3, dropout: 0.3);
        var (scorer, hooks) = disturb ? GlobalDraws() : (null, null);
        Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(48, 2), 8, orderSeed),
            new TrainerSettings { Epochs = 3, ClipNorm = 10, Seed = seed }, OptimizerKind.Adam, 1e-3, scorer: scorer, hooks: hooks);
        return Kit.Weights(head);
    }

    private static Dictionary<string, float[]> EndToEndRun(long seed, ulong orderSeed, bool disturb)
    {
        using var network = Mosaic.Network(seed: 2, bits: 16); // the LAH head's dropout is 0.1
        var (scorer, hooks) = disturb ? GlobalDraws() : (null, null);
        Kit.Fit(network, MosaicSetup.Loss(), Mosaic.Batches(16, orderSeed, workers: 1),
            new TrainerSettings { Epochs = 2, MaxStepsPerEpoch = 3, ClipNorm = 10, Seed = seed }, OptimizerKind.Sgd, 0.05, weightDecay: 1e-4,
            scorer: scorer, hooks: hooks);
        return Kit.Weights(network);
    }

    public static IEnumerable<object[]> Modes() => [["features"], ["end to end"]];

    [Theory]
    [MemberData(nameof(Modes))]
    public void The_same_seeds_give_bit_identical_weights_whatever_else_draws_from_the_global_generator(string mode)
    {
        Func<long, ulong, bool, Dictionary<string, float[]>> run = mode == "features" ? FeatureRun : EndToEndRun;
        Torch.ManualSeed(1);
        var quiet = run(7, 1, false);
        Torch.ManualSeed(12345);
        Torch.Rand([1000]).Dispose();
        var disturbed = run(7, 1, true);
        Assert.True(Kit.SameWeights(quiet, disturbed), $"{mode}: other code's draws changed the weights");

        // The seeds do decide the run: another dropout seed, or another order seed, gives other weights.
        Torch.ManualSeed(1);
        Assert.False(Kit.SameWeights(quiet, run(8, 1, false)), $"{mode}: TrainerSettings.Seed changed nothing (no dropout drawn?)");
        Assert.False(Kit.SameWeights(quiet, run(7, 2, false)), $"{mode}: the batch source's seed changed nothing");
    }

    [Fact]
    public void The_loop_lends_its_generator_to_the_model_for_the_run_only()
    {
        using var head = Build(3, dropout: 0.3);
        Assert.Null(head.Generator);
        Lah.Torch.Generator? during = null;
        var scorer = new DelegateScorer(_ =>
        {
            during = head.Generator;
            return EpochScore.None;
        });
        Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(16, 2), 8, 1), new TrainerSettings { ClipNorm = 10 },
            OptimizerKind.Sgd, 0.01, scorer: scorer);
        Assert.NotNull(during);
        Assert.Null(head.Generator);
        Assert.All(((Module)head).NamedModules(), m => Assert.Null(m.Module.Generator));
    }
}
