using Lah.Torch.Distributed;
using Lah.Training.Optimization;

namespace Lah.Training.Features;

/// <summary>
/// Optimisation settings of the feature-mode trainer; defaults are the official ones (SGD, lr 0.1, momentum 0.9,
/// weight decay 1e-4, no schedule, clipping at gradient norm 10, batch 32). NB: on small features the official lr 0.1
/// collapses heads (see <see cref="QuickRecipe"/>); the recipe uses Adam at 1e-3.
/// </summary>
public sealed record FeatureTrainingOptions
{
    public int Epochs { get; init; } = 15;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 0.1;
    /// <summary>Learning rate per parameter group name ("gcn", "fusion", "hash"); groups not listed use <see cref="LearningRate"/>.</summary>
    public IReadOnlyDictionary<string, double> GroupLearningRates { get; init; } = new Dictionary<string, double>();
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    /// <summary>SGD momentum (Adam/AdamW ignore it).</summary>
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Epoch-wise schedule, stepped after every epoch (see <see cref="ScheduleKind"/>).</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.None;
    public int StepSize { get; init; } = 10;
    public IReadOnlyList<int> Milestones { get; init; } = [];
    public double LrGamma { get; init; } = 0.1;
    public double MinLearningRate { get; init; }
    /// <summary>Maximum total gradient norm over every parameter of the head (frozen ones included); ≤ 0 disables it.</summary>
    public double ClipNorm { get; init; } = 10;
    public long Seed { get; init; } = 0;
    /// <summary>Stop after this many optimizer steps in total (tests and benchmarks); null runs every epoch in full.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>
    /// Called after every epoch with the head in its epoch's state; what it returns (e.g. validation MAP, or test MAP for
    /// Figure 3) is kept in <see cref="TrainingHistory.EpochMetrics"/>. Null: no callback.
    /// </summary>
    public Func<FeatureEpoch, double?>? OnEpoch { get; init; }

    /// <summary>
    /// Keep the weights of the epoch with the highest <see cref="OnEpoch"/> value (the first of ties; NaN/null never
    /// win) and put them back in the head at the end; needs <see cref="OnEpoch"/>. False: the last epoch's weights.
    /// </summary>
    public bool RestoreBestEpoch { get; init; }

    /// <summary>
    /// Data-parallel training over a process group (null: this process alone). Every rank runs the same trainer:
    /// parameters and buffers start from rank 0's, each rank takes its slice of every global batch of
    /// <see cref="BatchSize"/> × world size rows (<see cref="Lah.Data.BatchSharding"/>), gradients are averaged over
    /// ranks before clipping and the step, and the epoch losses are averaged over ranks. A pairwise loss (Cauchy) only
    /// sees the pairs inside each rank's slice, as under PyTorch's DDP; a per-sample mean loss matches one process with
    /// the global batch.
    /// </summary>
    public DataParallel? Parallel { get; init; }

    public OptimizerSettings Optimization => new()
    {
        Kind = Optimizer,
        Momentum = Momentum,
        WeightDecay = WeightDecay,
        Schedule = Schedule,
        StepSize = StepSize,
        Milestones = Milestones,
        Gamma = LrGamma,
        MinLearningRate = MinLearningRate,
    };

    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentException($"FeatureTrainingOptions.Epochs: expected a positive count, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"FeatureTrainingOptions.BatchSize: the pairwise loss needs at least 2, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"FeatureTrainingOptions.LearningRate: expected a positive rate, got {LearningRate}");
        foreach (var (name, lr) in GroupLearningRates)
            if (!(lr >= 0)) throw new ArgumentException($"FeatureTrainingOptions.GroupLearningRates['{name}']: expected a non-negative rate, got {lr}");
        if (RestoreBestEpoch && OnEpoch is null)
            throw new ArgumentException("FeatureTrainingOptions.RestoreBestEpoch: needs OnEpoch to score the epochs");
        Optimization.Validate(nameof(FeatureTrainingOptions));
    }

    public double LearningRateOf(string group) => GroupLearningRates.TryGetValue(group, out var lr) ? lr : LearningRate;
}
