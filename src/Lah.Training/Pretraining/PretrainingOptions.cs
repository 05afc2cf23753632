using Lah.Torch.Distributed;
using Lah.Training.Optimization;

namespace Lah.Training.Pretraining;

/// <summary>
/// Settings of <see cref="ClassificationPretrainer"/>: multi-label classification (BCE with logits) of a backbone with
/// a linear classifier on the training items. Defaults are the quick recipe's (Adam 3e-3, cosine, batch 64).
/// </summary>
public sealed record PretrainingOptions
{
    public int Epochs { get; init; } = 12;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 3e-3;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public int StepSize { get; init; } = 10;
    public IReadOnlyList<int> Milestones { get; init; } = [];
    public double LrGamma { get; init; } = 0.1;
    public double MinLearningRate { get; init; }
    /// <summary>Maximum gradient norm over every parameter; ≤ 0 disables clipping.</summary>
    public double ClipNorm { get; init; } = 10;
    public long Seed { get; init; }
    /// <summary>Loader worker threads (0 builds batches on the training thread).</summary>
    public int Workers { get; init; } = 1;
    /// <summary>Stop each epoch after this many batches (tests); null runs the whole epoch.</summary>
    public int? MaxStepsPerEpoch { get; init; }
    /// <summary>Held-out classification mAP after every epoch (else only after the last).</summary>
    public bool EvaluateEachEpoch { get; init; }
    public int EvalBatchSize { get; init; } = 128;

    /// <summary>
    /// Data-parallel pre-training (null: this process alone): rank 0's weights are broadcast at the start and its
    /// buffers (batch-norm statistics) before every forward, as DDP does; each rank loads its slice of every global batch
    /// of <see cref="BatchSize"/> × world size; gradients are averaged over ranks; only rank 0 writes the weights file.
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
        if (Epochs <= 0) throw new ArgumentException($"PretrainingOptions.Epochs: expected a positive count, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"PretrainingOptions.BatchSize: expected ≥ 2 (batch norm), got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"PretrainingOptions.LearningRate: expected a positive rate, got {LearningRate}");
        if (Workers < 0) throw new ArgumentException($"PretrainingOptions.Workers: expected ≥ 0, got {Workers}");
        if (MaxStepsPerEpoch is <= 0) throw new ArgumentException($"PretrainingOptions.MaxStepsPerEpoch: expected a positive count, got {MaxStepsPerEpoch}");
        if (EvalBatchSize <= 0) throw new ArgumentException($"PretrainingOptions.EvalBatchSize: expected a positive size, got {EvalBatchSize}");
        Optimization.Validate(nameof(PretrainingOptions));
    }

    /// <summary>The settings that change the weights, as text (stored beside them).</summary>
    public string Describe() =>
        $"epochs={Epochs};batch={BatchSize};lr={LearningRate:R};opt={Optimization};clip={ClipNorm:R};seed={Seed};maxSteps={MaxStepsPerEpoch}" +
        // Ranks change the global batch: a single process keeps its old description (and its cached weights).
        (Parallel is { Group.WorldSize: > 1 } p ? $";world={p.Group.WorldSize}" : "");
}
