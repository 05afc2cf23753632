namespace Lah.Training;

/// <summary>
/// Where a run stands, stored in its checkpoint: the epoch in progress and the next batch of its order, steps, the
/// epoch's loss accumulators (so a mid-epoch resume reports the same mean), the finished epochs and the best one.
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
    public double BestScore { get; init; } = double.NaN;
    public string Fingerprint { get; init; } = "";
}
