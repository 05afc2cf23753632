namespace Lah.Training.Features;

/// <summary>Mean total loss of each epoch (of the steps run) and the number of optimizer steps.</summary>
public sealed record TrainingHistory(IReadOnlyList<double> EpochLosses, int Steps);
