namespace Lah.Data;

/// <summary>A pool of items whose first <see cref="TrainCount"/> are the official training part (the rest: test).</summary>
public sealed record DatasetPool(MultiLabelDataset Pool, int TrainCount)
{
    public int TestCount => Pool.Count - TrainCount;
}
