using Lah.Tests;
using Lah.Training.Batches;
using Lah.Training.Inference;
using Xunit;
using static Lah.Training.Tests.SmallHead;

namespace Lah.Training.Tests;

/// <summary>
/// Row "progress": the loop reports events (every step, every epoch, notes such as a resume) and renders nothing
/// itself: Lah.Training references no console library.
/// </summary>
public sealed class ProgressTests
{
    [Fact]
    public void Step_events_count_every_step_and_epoch_events_every_epoch()
    {
        // 41 rows in batches of 8: five steps an epoch, and a last batch of one that no pairwise loss can score (skipped).
        var data = Features(41, 3);
        using var head = Build(4);
        var events = new RecordingEvents();
        var result = Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(data, 8, seed: 1),
            new TrainerSettings { Epochs = 3, ClipNorm = 10 }, OptimizerKind.Sgd, 0.01, events: events);

        Assert.Equal(15, result.Steps);
        Assert.Equal(15, events.Steps.Count);
        Assert.Equal([5, 5, 5], result.Epochs.Select(e => e.Steps));
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(e => Enumerable.Repeat(e, 5)), events.Steps.Select(s => s.Epoch));
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(1, 5)), events.Steps.Select(s => s.Batch));
        Assert.All(events.Steps, s => Assert.Equal((3, 6, 18L), (s.Epochs, s.Batches, s.TotalSteps)));
        Assert.Equal(events.Steps.Select(s => s.Step).Order(), events.Steps.Select(s => s.Step));
        Assert.All(events.Steps, s => Assert.True(double.IsFinite(s.Loss) && s.ItemsPerSecond > 0));
        // Epoch events are the history, in order, and each epoch's mean loss is the mean of its steps' losses.
        Kit.AssertSameHistory(result.Epochs, events.Epochs);
        for (int e = 0; e < 3; e++)
            Assert.Equal(events.Steps.Where(s => s.Epoch == e).Average(s => s.Loss), result.Epochs[e].MeanLoss, 12);
        Assert.Empty(events.Messages);
    }

    [Fact]
    public void A_resume_emits_a_message_naming_the_checkpoint_and_where_it_continues()
    {
        using var dir = TestPaths.NewTempDir();
        var settings = new TrainerSettings { Epochs = 2, ClipNorm = 10, CheckpointDir = dir.Path, CheckpointEverySteps = 1 };
        FeatureSet data = Features(32, 3);
        using (var head = Build(4))
            Assert.Throws<TrainingStopped>(() => Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(data, 8, seed: 1), settings,
                OptimizerKind.Sgd, 0.01, hooks: new TrainingHooks { StopAfterStep = 6 }));
        using var resumed = Build(4);
        var events = new RecordingEvents();
        Kit.Fit(new HeadModel(resumed), MosaicSetup.Loss(), new FeatureBatches(data, 8, seed: 1), settings, OptimizerKind.Sgd, 0.01, events: events);
        var message = Assert.Single(events.Messages);
        Assert.Contains(Path.Combine(dir.Path, Trainer.CheckpointFile), message);
        Assert.Contains("epoch 2, batch 2, step 6", message);
        Assert.Equal(2, events.Steps.Count);
        Assert.Single(events.Epochs);
    }

    [Fact]
    public void The_training_assembly_references_no_console_library()
    {
        var referenced = typeof(Trainer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Lah.Torch", referenced); // the list is the real one
        Assert.DoesNotContain("Spectre.Console", referenced);
        Assert.DoesNotContain(referenced, n => n.Contains("Console", StringComparison.OrdinalIgnoreCase));
    }
}
