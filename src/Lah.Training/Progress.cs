namespace Lah.Training;

/// <summary>
/// One finished epoch: its mean loss, steps, learning rate and what the scorer measured. The rate is the optimizer's
/// last group's (a hash head's "hash" group, a classifier's "backbone"), so the backbone multiplier of end to end does not show.
/// </summary>
public sealed record EpochRecord(
    int Epoch,
    double MeanLoss,
    int Steps,
    double LearningRate,
    IReadOnlyDictionary<string, double> Metrics,
    double SelectionScore);

/// <summary>A finished optimizer step, for progress displays.</summary>
public readonly record struct StepEvent(
    int Epoch, int Epochs, int Batch, int Batches, long Step, long TotalSteps, double Loss, double ItemsPerSecond);

/// <summary>
/// What the loop reports while it runs. Rendering (a progress bar, a log line) is the caller's business: the loop
/// knows no console library.
/// </summary>
public interface ITrainingEvents
{
    void Step(StepEvent step) { }

    void Epoch(EpochRecord record) { }

    /// <summary>Notes such as "resuming from … at epoch 3".</summary>
    void Message(string text) { }
}

/// <summary>Reports nothing.</summary>
public sealed class NoEvents : ITrainingEvents
{
    public static NoEvents Instance { get; } = new();
}

/// <summary>What the scorer measured after an epoch: named metrics and the selection score (NaN when not scored).</summary>
public sealed record EpochScore(IReadOnlyDictionary<string, double> Metrics, double Selection)
{
    public static EpochScore None { get; } = new(new Dictionary<string, double>(), double.NaN);
}

/// <summary>
/// Scores the model after each epoch: the validation score that <see cref="EpochSelection.BestValidation"/> selects by,
/// and any per-epoch curve the caller records. The protocol is the caller's (one module decides it); the loop
/// only keeps what comes back. The model is in evaluation mode while it is scored.
/// </summary>
public interface IEpochScorer
{
    EpochScore Score(int epoch);
}

/// <summary>A finished run: every epoch's record, the epoch whose weights the model holds, and the step count.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> Epochs, int SelectedEpoch, long Steps)
{
    /// <summary>Best-validation selection found no epoch with a numeric score and kept the last epoch.</summary>
    public bool SelectionFellBack { get; init; }
}

/// <summary>
/// Test seams: <see cref="StopAfterStep"/> ends the run right after that global step as a kill would (nothing
/// written, nothing evaluated); <see cref="TransformBatch"/> may alter a batch before it is used.
/// </summary>
public sealed record TrainingHooks
{
    public long? StopAfterStep { get; init; }
    public Func<Batches.TrainingBatch, Batches.TrainingBatch>? TransformBatch { get; init; }
}

/// <summary>Thrown when <see cref="TrainingHooks.StopAfterStep"/> ends a run (a simulated kill).</summary>
public sealed class TrainingStopped(long step) : Exception($"training stopped by the test hook after step {step}")
{
    public long Step { get; } = step;
}

/// <summary>The loss or the gradient norm became NaN or infinite; nothing was written after the last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message, int epoch, int batch, long step, double value)
    : Exception(message)
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
    public long Step { get; } = step;
    public double Value { get; } = value;
}
