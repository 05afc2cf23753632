using Lah.Torch.Distributed;

namespace Lah.Training.EndToEnd;

/// <summary>
/// Settings of the end-to-end trainer. Defaults follow the official code: SGD (momentum 0.9, weight decay 1e-4),
/// lr 0.1 for the head and lr·lrp (lrp = 0.1) for the backbone, gradient norm clipped at 10, batch 32.
/// </summary>
public sealed record EndToEndOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 0.1;
    /// <summary>The official `lrp`: the backbone's learning rate is LearningRate × this.</summary>
    public double BackboneLrMultiplier { get; init; } = 0.1;
    /// <summary>Learning rate per head parameter group ("gcn", "fusion", "hash"); unlisted groups use LearningRate.</summary>
    public IReadOnlyDictionary<string, double> GroupLearningRates { get; init; } = new Dictionary<string, double>();
    /// <summary>Epochs at which every learning rate is multiplied by <see cref="LrDecay"/> (the official `epoch_step`).</summary>
    public IReadOnlyList<int> LrDecayEpochs { get; init; } = [];
    public double LrDecay { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Maximum gradient norm over every parameter (backbone and head); ≤ 0 disables clipping.</summary>
    public double ClipNorm { get; init; } = 10;
    public long Seed { get; init; }
    /// <summary>"cpu", "cuda" or "cuda:N". CUDA where there is none is an error, never a silent CPU fallback.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Loader worker threads (0 builds batches on the training thread).</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Stop each epoch after this many batches (bounded runs on the CPU); null runs the whole epoch.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>
    /// The one source of the evaluation protocol: <see cref="EvaluationProtocol.Dch"/> ranks a database for each query,
    /// <see cref="EvaluationProtocol.LahOfficial"/> retrieves among the queries, leave-one-out. The trainer refuses a
    /// split built for the other protocol (its <c>LeaveOneOut</c>) instead of silently switching.
    /// </summary>
    public EvaluationProtocol Protocol { get; init; } = EvaluationProtocol.Dch;
    public int Radius { get; init; } = 2;
    public ModelSelection Selection { get; init; } = ModelSelection.Validation;
    /// <summary>Training items held out for validation (a seeded draw); their database is the remaining training items.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Evaluate the test queries every epoch (else only the selected epoch's weights, at the end).</summary>
    public bool EvaluateTestEachEpoch { get; init; } = true;
    public int EvalBatchSize { get; init; } = 64;

    /// <summary>Folder of `checkpoint.safetensors` (written atomically every epoch), `best.safetensors` and `history.json`; null: none.</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Also checkpoint every this many steps inside an epoch (with the loader position); null: epoch ends only.</summary>
    public int? CheckpointEverySteps { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="CheckpointDir"/> when there is one.</summary>
    public bool Resume { get; init; } = true;
    /// <summary>
    /// The caller's content hash of everything else that decides the run (head and loss configuration, data, split,
    /// transforms): part of <see cref="Fingerprint"/>, so a checkpoint of another experiment is refused on resume.
    /// </summary>
    public string ExperimentKey { get; init; } = "";
    /// <summary>Show a Spectre.Console progress bar (epoch, step, loss, images/s, ETA).</summary>
    public bool ShowProgress { get; init; } = true;

    /// <summary>
    /// Data-parallel training over a process group (null: this process alone). Every rank runs the same trainer with
    /// the same options: rank 0's weights are broadcast at the start, each rank loads its slice of every global batch
    /// of <see cref="BatchSize"/> × world size images (<see cref="Lah.Data.BatchSharding"/>), gradients are averaged
    /// over ranks before clipping, epoch losses are averaged over ranks, and only rank 0 writes checkpoints, best
    /// weights and history (the others read the same <see cref="CheckpointDir"/> on resume, so it must be shared between
    /// machines). Every rank evaluates. The Cauchy loss only pairs images inside each rank's slice, as under DDP.
    /// </summary>
    public DataParallel? Parallel { get; init; }

    /// <summary>Throws naming the field when a value cannot work.</summary>
    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentException($"EndToEndOptions.Epochs: expected a positive count, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"EndToEndOptions.BatchSize: the pairwise loss needs at least 2, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"EndToEndOptions.LearningRate: expected a positive rate, got {LearningRate}");
        if (!(BackboneLrMultiplier >= 0))
            throw new ArgumentException($"EndToEndOptions.BackboneLrMultiplier: expected ≥ 0, got {BackboneLrMultiplier}");
        foreach (var (name, lr) in GroupLearningRates)
            if (!(lr >= 0)) throw new ArgumentException($"EndToEndOptions.GroupLearningRates['{name}']: expected ≥ 0, got {lr}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentException($"EndToEndOptions.ValidationFraction: expected a fraction in [0, 1), got {ValidationFraction}");
        if (Selection == ModelSelection.Validation && ValidationFraction == 0)
            throw new ArgumentException("EndToEndOptions.ValidationFraction: selection on validation needs a validation part (> 0)");
        if (MaxStepsPerEpoch is <= 0)
            throw new ArgumentException($"EndToEndOptions.MaxStepsPerEpoch: expected a positive count, got {MaxStepsPerEpoch}");
        if (CheckpointEverySteps is <= 0)
            throw new ArgumentException($"EndToEndOptions.CheckpointEverySteps: expected a positive count, got {CheckpointEverySteps}");
        if (Radius < 0) throw new ArgumentException($"EndToEndOptions.Radius: expected ≥ 0, got {Radius}");
        if (Workers < 0) throw new ArgumentException($"EndToEndOptions.Workers: expected ≥ 0, got {Workers}");
        if (EvalBatchSize <= 0) throw new ArgumentException($"EndToEndOptions.EvalBatchSize: expected a positive size, got {EvalBatchSize}");
    }

    public double LearningRateOf(string group) => GroupLearningRates.TryGetValue(group, out var lr) ? lr : LearningRate;

    /// <summary>The learning-rate factor of an epoch: LrDecay to the number of decay epochs reached.</summary>
    public double DecayAt(int epoch) => Math.Pow(LrDecay, LrDecayEpochs.Count(e => e <= epoch));

    /// <summary>
    /// The settings that change results, as text: a checkpoint made under other settings is refused on resume.
    /// (Epochs, checkpointing, progress and workers may differ.) Head, loss, data, split and transforms enter only
    /// through <see cref="ExperimentKey"/>: give it the experiment's content hash.
    /// </summary>
    public string Fingerprint() => string.Join(";",
        $"batch={BatchSize}", $"lr={LearningRate:R}", $"lrp={BackboneLrMultiplier:R}",
        $"groups={string.Join(",", GroupLearningRates.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value:R}"))}",
        $"decay={string.Join(",", LrDecayEpochs)}x{LrDecay:R}", $"momentum={Momentum:R}", $"wd={WeightDecay:R}", $"clip={ClipNorm:R}",
        $"seed={Seed}", $"maxSteps={MaxStepsPerEpoch}", $"protocol={Protocol}", $"radius={Radius}", $"selection={Selection}",
        $"validation={ValidationFraction:R}", $"experiment={ExperimentKey}") +
        // The world size changes which images pair up in the loss; a single process keeps its old fingerprint.
        (Parallel is { Group.WorldSize: > 1 } p ? $";world={p.Group.WorldSize}" : "");
}
