namespace Lah.Training.Features;

/// <summary>
/// Mean total loss of each epoch (of the steps run), the number of optimizer steps, each epoch's learning rate (the
/// first group's) and what <see cref="FeatureTrainingOptions.OnEpoch"/> returned for it (null without a callback).
/// </summary>
public sealed record TrainingHistory(IReadOnlyList<double> EpochLosses, int Steps)
{
    public IReadOnlyList<double> EpochLearningRates { get; init; } = [];
    public IReadOnlyList<double?> EpochMetrics { get; init; } = [];
    /// <summary>The epoch whose weights the head holds when <see cref="FeatureTrainingOptions.RestoreBestEpoch"/> is set; else the last.</summary>
    public int SelectedEpoch { get; init; } = -1;
}
