using Lah.Tests;
using Lah.Torch.NN;
using Lah.Training.Batches;
using Xunit;
using static Lah.Training.Tests.SmallHead;

namespace Lah.Training.Tests;

/// <summary>
/// Row "epoch selection": exactly as <see cref="TrainerSettings.Selection"/> says. The last epoch's weights, or the
/// weights of the epoch with the highest validation score (first of ties, NaN never wins, none at all: the last epoch,
/// and the result says so).
/// </summary>
public sealed class EpochSelectionTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 40, train: 200);

    /// <summary>A scorer with the given selection scores that snapshots the weights it scores.</summary>
    private sealed class Snapshots(Module module, params double[] scores) : IEpochScorer
    {
        public List<Dictionary<string, float[]>> Weights { get; } = [];
        public List<int> Calls { get; } = [];

        public EpochScore Score(int epoch)
        {
            Calls.Add(epoch);
            Weights.Add(Kit.Weights(module));
            return new EpochScore(new Dictionary<string, double> { ["map"] = 1 - epoch }, scores[epoch]);
        }
    }

    private static (TrainingResult Result, Snapshots Scorer, Dictionary<string, float[]> Final, RecordingEvents Events) FeatureRun(
        EpochSelection selection, double[] scores, string? dir = null)
    {
        using var head = Build(3, dropout: 0.1);
        var scorer = new Snapshots(head, scores);
        var events = new RecordingEvents();
        var result = Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(64, 4), 16, seed: 1),
            new TrainerSettings { Epochs = scores.Length, ClipNorm = 10, Seed = 1, Selection = selection, CheckpointDir = dir },
            OptimizerKind.Sgd, 0.01, weightDecay: 1e-4, scorer: scorer, events: events);
        return (result, scorer, Kit.Weights(head), events);
    }

    [Fact]
    public void Last_epoch_keeps_the_last_epochs_weights_whatever_the_scorer_says()
    {
        using var dir = TestPaths.NewTempDir();
        // Falling scores, then NaN: under best-validation epoch 0 would win; under last-epoch nothing is selected by score.
        var (result, scorer, final, _) = FeatureRun(EpochSelection.LastEpoch, [0.9, 0.5, double.NaN], dir.Path);
        Assert.Equal(2, result.SelectedEpoch);
        Assert.False(result.SelectionFellBack);
        Assert.True(Kit.SameWeights(scorer.Weights[2], final), "the model holds the last epoch's weights");
        Assert.False(Kit.SameWeights(scorer.Weights[0], final));
        // The scorer still gives the per-epoch curves, and no best weights were kept.
        Assert.Equal([0, 1, 2], scorer.Calls);
        Assert.Equal([1.0, 0.0, -1.0], result.Epochs.Select(e => e.Metrics["map"]));
        Assert.False(File.Exists(Path.Combine(dir.Path, Trainer.BestFile)));
    }

    [Fact]
    public void Last_epoch_needs_no_scorer()
    {
        using var head = Build(3);
        var result = Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(32, 4), 16, seed: 1),
            new TrainerSettings { Epochs = 2, ClipNorm = 10 }, OptimizerKind.Sgd, 0.01);
        Assert.Equal(1, result.SelectedEpoch);
        Assert.All(result.Epochs, e => Assert.True(double.IsNaN(e.SelectionScore)));
        Assert.All(result.Epochs, e => Assert.Empty(e.Metrics));
    }

    [Fact]
    public void Best_validation_keeps_the_weights_of_the_highest_scoring_epoch()
    {
        var (result, scorer, final, _) = FeatureRun(EpochSelection.BestValidation, [0.2, 0.9, 0.4]);
        Assert.Equal([0, 1, 2], scorer.Calls);
        Assert.Equal([0.2, 0.9, 0.4], result.Epochs.Select(e => e.SelectionScore));
        Assert.Equal([4, 4, 4], result.Epochs.Select(e => e.Steps));
        Assert.Equal(12, result.Steps);
        Assert.Equal(1, result.SelectedEpoch);
        Assert.False(result.SelectionFellBack);
        Assert.True(Kit.SameWeights(scorer.Weights[1], final), "the model holds epoch 1's weights (kept in memory)");
        Assert.False(Kit.SameWeights(scorer.Weights[2], scorer.Weights[1]));
    }

    [Fact]
    public void Best_validation_end_to_end_reads_the_best_weights_back_from_the_checkpoint_folder()
    {
        using var dir = TestPaths.NewTempDir();
        using var network = Mosaic.Network(seed: 5, bits: 16);
        var scorer = new Snapshots(network, 0.2, 0.9, 0.4);
        var result = Kit.Fit(network, MosaicSetup.Loss(), Mosaic.Batches(16),
            new TrainerSettings { Epochs = 3, MaxStepsPerEpoch = 3, ClipNorm = 10, Seed = 1, Selection = EpochSelection.BestValidation, CheckpointDir = dir.Path },
            OptimizerKind.Sgd, 0.05, weightDecay: 1e-4, scorer: scorer);
        Assert.Equal(1, result.SelectedEpoch);
        Assert.True(File.Exists(Path.Combine(dir.Path, Trainer.BestFile)));
        // Parameters and batch-norm running statistics alike are epoch 1's.
        Kit.AssertSameWeights(scorer.Weights[1], network);
        Assert.False(Kit.SameWeights(scorer.Weights[2], scorer.Weights[1]));
    }

    [Fact]
    public void The_first_of_a_tie_wins_and_nan_never_wins()
    {
        var (result, scorer, final, _) = FeatureRun(EpochSelection.BestValidation, [double.NaN, 0.5, 0.7, 0.7, double.NaN]);
        Assert.Equal(2, result.SelectedEpoch);
        Assert.False(result.SelectionFellBack);
        Assert.True(Kit.SameWeights(scorer.Weights[2], final));
        Assert.False(Kit.SameWeights(scorer.Weights[3], final));
    }

    [Fact]
    public void No_numeric_score_at_all_keeps_the_last_epoch_and_says_so()
    {
        var (result, scorer, final, events) = FeatureRun(EpochSelection.BestValidation, [double.NaN, double.NaN, double.NaN]);
        Assert.Equal(2, result.SelectedEpoch);
        Assert.True(result.SelectionFellBack);
        Assert.True(Kit.SameWeights(scorer.Weights[2], final));
        Assert.Contains(events.Messages, m => m.Contains("no epoch scored a validation value"));
    }

    [Fact]
    public void Best_validation_without_a_scorer_is_refused_naming_the_setting()
    {
        using var head = Build(3);
        using var optimizer = Kit.Optimizer(new HeadModel(head), OptimizerKind.Sgd, 0.01);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(32, 4), 16, 1),
            optimizer, null, new TrainerSettings { Selection = EpochSelection.BestValidation }));
        Assert.Contains("TrainerSettings.Selection", e.Message);
    }

    [Fact]
    public void The_best_epoch_survives_a_resume()
    {
        using var dir = TestPaths.NewTempDir();
        var reference = FeatureRun(EpochSelection.BestValidation, [0.2, 0.9, 0.4]);
        // Killed in epoch 2 (after epoch 1, the best, was scored and kept), then resumed from the checkpoint folder.
        using (var head = Build(3, dropout: 0.1))
            Assert.Throws<TrainingStopped>(() => Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(Features(64, 4), 16, seed: 1),
                new TrainerSettings { Epochs = 3, ClipNorm = 10, Seed = 1, Selection = EpochSelection.BestValidation, CheckpointDir = dir.Path },
                OptimizerKind.Sgd, 0.01, weightDecay: 1e-4, scorer: new Snapshots(head, 0.2, 0.9, 0.4),
                hooks: new TrainingHooks { StopAfterStep = 10 }));
        var resumed = FeatureRun(EpochSelection.BestValidation, [0.2, 0.9, 0.4], dir.Path);
        Assert.Equal([2], resumed.Scorer.Calls);
        Assert.Equal(1, resumed.Result.SelectedEpoch);
        Assert.True(Kit.SameWeights(reference.Final, resumed.Final), "the resumed run ends with epoch 1's weights, as the uninterrupted one");
    }
}
