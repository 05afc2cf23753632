namespace Lah.Training.EndToEnd;

/// <summary>Thrown when <see cref="TrainingHooks.StopAfterStep"/> ends a run (a simulated kill).</summary>
public sealed class TrainingStopped(long step) : Exception($"training stopped by the test hook after step {step}")
{
    public long Step { get; } = step;
}
