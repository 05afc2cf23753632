using Lah.Hashing.Models;

namespace Lah.Training.Features;

/// <summary>
/// A finished epoch of feature-mode training, handed to <see cref="FeatureTrainingOptions.OnEpoch"/>: the 0-based
/// epoch, mean loss of its steps, steps so far, the rate the epoch ran at (the first group's) and the head, whose
/// weights are the epoch's (encode with <see cref="FeatureEncoder"/>; the trainer puts it back in training mode).
/// </summary>
public sealed record FeatureEpoch(int Epoch, double MeanLoss, int TotalSteps, double LearningRate, IHashHead Head);
