namespace Lah.Training.Features;

/// <summary>
/// Optimisation settings of the feature-mode trainer; defaults are the official ones (SGD, lr 0.1, momentum 0.9,
/// weight decay 1e-4, clipping at gradient norm 10, batch 32).
/// </summary>
public sealed record FeatureTrainingOptions
{
    public int Epochs { get; init; } = 15;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 0.1;
    /// <summary>Learning rate per parameter group name ("gcn", "fusion", "hash"); groups not listed use <see cref="LearningRate"/>.</summary>
    public IReadOnlyDictionary<string, double> GroupLearningRates { get; init; } = new Dictionary<string, double>();
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Maximum total gradient norm over every parameter of the head (frozen ones included); ≤ 0 disables it.</summary>
    public double ClipNorm { get; init; } = 10;
    public long Seed { get; init; } = 0;
    /// <summary>Stop after this many optimizer steps in total (tests and benchmarks); null runs every epoch in full.</summary>
    public int? MaxSteps { get; init; }

    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentException($"FeatureTrainingOptions.Epochs: expected a positive count, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"FeatureTrainingOptions.BatchSize: the pairwise loss needs at least 2, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"FeatureTrainingOptions.LearningRate: expected a positive rate, got {LearningRate}");
        foreach (var (name, lr) in GroupLearningRates)
            if (!(lr >= 0)) throw new ArgumentException($"FeatureTrainingOptions.GroupLearningRates['{name}']: expected a non-negative rate, got {lr}");
    }

    public double LearningRateOf(string group) => GroupLearningRates.TryGetValue(group, out var lr) ? lr : LearningRate;
}
