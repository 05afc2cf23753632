using Lah.Torch.Distributed;

namespace Lah.Training;

/// <summary>
/// The loop's own settings. What is trained, on what, with which loss and optimizer are the <see cref="Trainer"/>'s
/// arguments; the batch size belongs to the batch source, learning rates to the optimizer.
/// </summary>
public sealed record TrainerSettings
{
    public int Epochs { get; init; } = 1;

    /// <summary>Maximum total gradient norm over <see cref="ITrainable.ClippedParameters"/>; ≤ 0 disables clipping.</summary>
    public double ClipNorm { get; init; }

    /// <summary>Seeds the loop's generator (dropout masks); the data order comes from the batch source's seed.</summary>
    public long Seed { get; init; }

    public EpochSelection Selection { get; init; } = EpochSelection.LastEpoch;

    /// <summary>Stop each epoch after this many batches (bounded runs in tests and benchmarks); null: whole epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>
    /// Folder of <c>checkpoint.safetensors</c> (written atomically after every epoch), <c>best.safetensors</c> and
    /// <c>history.json</c>; null: nothing is written and best weights are kept in memory.
    /// </summary>
    public string? CheckpointDir { get; init; }

    /// <summary>Also checkpoint every this many steps inside an epoch (with the batch position); null: epoch ends only.</summary>
    public int? CheckpointEverySteps { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDir"/> when there is one.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>
    /// The caller's key of everything else that decides the run (model, loss, data, optimizer; e.g. the experiment's
    /// content hash): a checkpoint made under another key is refused on resume.
    /// </summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>
    /// Data-parallel training over a process group (null: this process alone): every rank starts from rank 0's weights
    /// and buffers, runs the model on its slice of every global batch, scores a loss that couples rows
    /// (<see cref="Lah.Hashing.Losses.IHashLoss.NeedsGlobalBatch"/>) on the gathered global batch, reduces gradients
    /// before clipping so that the step is one process's on the global batch, and reports losses averaged over ranks;
    /// only rank 0 writes checkpoints. Batch-norm buffers follow rank 0 before every forward.
    /// </summary>
    public DataParallel? Parallel { get; init; }

    /// <summary>Throws naming the setting when a value cannot work.</summary>
    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentException($"TrainerSettings.Epochs: expected a positive count, got {Epochs}");
        if (MaxStepsPerEpoch is <= 0)
            throw new ArgumentException($"TrainerSettings.MaxStepsPerEpoch: expected a positive count, got {MaxStepsPerEpoch}");
        if (CheckpointEverySteps is <= 0)
            throw new ArgumentException($"TrainerSettings.CheckpointEverySteps: expected a positive count, got {CheckpointEverySteps}");
        if (double.IsNaN(ClipNorm)) throw new ArgumentException("TrainerSettings.ClipNorm: expected a number, got NaN");
    }

    /// <summary>The settings that change results, with the caller's key: a checkpoint made under others is refused.</summary>
    public string Describe() =>
        $"clip={ClipNorm:R};seed={Seed};selection={Selection};maxSteps={MaxStepsPerEpoch};key={Fingerprint}" +
        // The world size changes which items share a batch; a single process keeps its description.
        (Parallel is { Group.WorldSize: > 1 } p ? $";world={p.Group.WorldSize}" : "");
}
