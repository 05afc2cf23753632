namespace Lah.Training.EndToEnd;

/// <summary>
/// Where a run stands, stored in the checkpoint: the epoch in progress and the next batch of its loader order, steps,
/// the epoch's loss accumulators (so a mid-epoch resume reports the same mean), the history and the best epoch.
/// </summary>
public sealed record TrainerState
{
    public int Epoch { get; init; }
    public int NextBatch { get; init; }
    public long GlobalStep { get; init; }
    public double EpochLossSum { get; init; }
    public int EpochSteps { get; init; }
    public List<EpochRecord> History { get; init; } = [];
    public int BestEpoch { get; init; } = -1;
    public double BestScore { get; init; } = double.NegativeInfinity;
    public string Fingerprint { get; init; } = "";
}
