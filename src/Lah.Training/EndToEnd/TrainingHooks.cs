using Lah.Data;

namespace Lah.Training.EndToEnd;

/// <summary>
/// Test seams of the trainer. <see cref="StopAfterStep"/> ends the run right after that global step as a kill would:
/// no checkpoint, no evaluation, nothing flushed. <see cref="TransformBatch"/> may alter a batch before it is used.
/// </summary>
public sealed record TrainingHooks
{
    public long? StopAfterStep { get; init; }
    public Func<Batch, Batch>? TransformBatch { get; init; }
}
