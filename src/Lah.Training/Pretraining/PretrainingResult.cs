namespace Lah.Training.Pretraining;

/// <summary>One pre-training epoch: mean BCE loss, steps, the rate it ran at, held-out classification mAP (0–100; null when not evaluated).</summary>
public sealed record PretrainingEpoch(int Epoch, double MeanLoss, int Steps, double LearningRate, double? HeldOutMap);

/// <summary>
/// A finished (or loaded) pre-training: every epoch's record, the final held-out classification mAP (0–100, ML-GCN's
/// AP with difficult labels skipped), whether the weights were loaded from <see cref="WeightsPath"/> instead of
/// trained, and the wall time of this call.
/// </summary>
public sealed record PretrainingResult(
    IReadOnlyList<PretrainingEpoch> Epochs,
    double HeldOutMap,
    bool Loaded,
    string? WeightsPath,
    TimeSpan Elapsed);
