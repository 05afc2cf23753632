namespace Lah.Training.EndToEnd;

/// <summary>
/// One finished epoch: mean training loss, steps, the learning rate of the head, validation MAP (null without a
/// validation part) and test metrics (null when not evaluated that epoch): TestMap is the protocol's MAP (mAP1 under
/// <see cref="EvaluationProtocol.LahOfficial"/>), TestMap2 the official protocol's second average (null under DCH),
/// TestLoss the mean hashing loss over the test queries in eval mode (the official selection criterion).
/// Deterministic for a seed: no timings.
/// </summary>
public sealed record EpochRecord(
    int Epoch,
    double MeanLoss,
    int Steps,
    double LearningRate,
    double? ValidationMap,
    double? TestMap,
    double? TestPrecision,
    double? TestRecall,
    double? TestMap2 = null,
    double? TestLoss = null);
