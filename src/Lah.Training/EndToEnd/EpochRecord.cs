namespace Lah.Training.EndToEnd;

/// <summary>
/// One finished epoch: mean training loss, steps, the learning rate of the head, validation MAP (null without a
/// validation part) and test metrics (null when not evaluated that epoch). Deterministic for a seed: no timings.
/// </summary>
public sealed record EpochRecord(
    int Epoch,
    double MeanLoss,
    int Steps,
    double LearningRate,
    double? ValidationMap,
    double? TestMap,
    double? TestPrecision,
    double? TestRecall);
