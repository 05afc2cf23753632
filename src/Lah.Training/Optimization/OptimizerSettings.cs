using Lah.Torch.Optim;

namespace Lah.Training.Optimization;

/// <summary>
/// Optimizer and schedule of a trainer, shared by the feature-mode trainer and the classification pre-trainer.
/// Every group keeps its own base rate; the schedule scales them all alike.
/// </summary>
public sealed record OptimizerSettings
{
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;
    /// <summary>SGD momentum (ignored by Adam/AdamW, whose betas are PyTorch's defaults 0.9, 0.999).</summary>
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.None;
    /// <summary><see cref="ScheduleKind.Step"/>: epochs between decays.</summary>
    public int StepSize { get; init; } = 10;
    /// <summary><see cref="ScheduleKind.MultiStep"/>: the epochs (0-based) from which the next factor applies.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = [];
    /// <summary>The decay factor of Step and MultiStep.</summary>
    public double Gamma { get; init; } = 0.1;
    /// <summary><see cref="ScheduleKind.Cosine"/>: the rate reached at the last epoch.</summary>
    public double MinLearningRate { get; init; }

    public void Validate(string owner)
    {
        if (!(Momentum >= 0)) throw new ArgumentException($"{owner}.Momentum: expected ≥ 0, got {Momentum}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"{owner}.WeightDecay: expected ≥ 0, got {WeightDecay}");
        if (Schedule == ScheduleKind.Step && StepSize <= 0)
            throw new ArgumentException($"{owner}.StepSize: expected a positive count, got {StepSize}");
        if (Schedule == ScheduleKind.MultiStep && (Milestones.Count == 0 || Milestones.Any(m => m <= 0)))
            throw new ArgumentException($"{owner}.Milestones: expected positive epochs, got [{string.Join(", ", Milestones)}]");
        if (!(Gamma > 0)) throw new ArgumentException($"{owner}.Gamma: expected a positive factor, got {Gamma}");
        if (!(MinLearningRate >= 0)) throw new ArgumentException($"{owner}.MinLearningRate: expected ≥ 0, got {MinLearningRate}");
    }

    /// <summary>The optimizer over <paramref name="groups"/> (each with its own lr; <paramref name="lr"/> is the default).</summary>
    public Optimizer Build(IEnumerable<ParamGroup> groups, double lr) => Kind switch
    {
        OptimizerKind.Sgd => new SGD(groups, lr, momentum: Momentum, weightDecay: WeightDecay),
        OptimizerKind.Adam => new Adam(groups, lr, weightDecay: WeightDecay),
        OptimizerKind.AdamW => new AdamW(groups, lr, weightDecay: WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown optimizer"),
    };

    /// <summary>The schedule over a run of <paramref name="epochs"/> epochs, or null for <see cref="ScheduleKind.None"/>.</summary>
    public LRScheduler? BuildSchedule(Optimizer optimizer, int epochs) => Schedule switch
    {
        ScheduleKind.None => null,
        ScheduleKind.Step => new StepLR(optimizer, StepSize, Gamma),
        ScheduleKind.MultiStep => new MultiStepLR(optimizer, Milestones.Select(m => (long)m), Gamma),
        ScheduleKind.Cosine => new CosineAnnealingLR(optimizer, Math.Max(1, epochs), MinLearningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "unknown schedule"),
    };

    /// <summary>The settings as text, for fingerprints.</summary>
    public override string ToString() =>
        $"{Kind}/m{Momentum:R}/wd{WeightDecay:R}/{Schedule}/s{StepSize}/[{string.Join(",", Milestones)}]x{Gamma:R}/min{MinLearningRate:R}";
}
