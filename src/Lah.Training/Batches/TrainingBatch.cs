namespace Lah.Training.Batches;

/// <summary>
/// One batch as the loop consumes it: <see cref="Input"/> (row-major, shaped <see cref="Shape"/>: B×D feature rows or
/// B×3×H×W images), multi-hot <see cref="Labels"/> (B×<see cref="LabelCount"/>, 0/1), its position in the epoch's
/// order and the pool indices of its items (for error messages).
/// </summary>
public sealed record TrainingBatch(int Number, int[] Items, float[] Input, long[] Shape, float[] Labels, int LabelCount)
{
    public int Size => Items.Length;

    /// <summary>
    /// Called by the loop once the batch is copied into tensors: a source may then reuse its buffers (the image
    /// loader hands them to a later batch instead of allocating fresh ones). Null: nothing to give back.
    /// </summary>
    public Action? Release { get; init; }
}
