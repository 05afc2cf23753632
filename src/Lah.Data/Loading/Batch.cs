namespace Lah.Data;

/// <summary>
/// A batch ready to become tensors: <see cref="Images"/> is B × 3 × H × W floats, <see cref="Labels"/> B × C 0/1
/// (difficult counted positive, as the official training targets), <see cref="Difficult"/> B × C 0/1.
/// </summary>
public sealed record Batch(int Number, int[] Indices, string[] Ids, float[] Images, int Height, int Width, float[] Labels,
    float[] Difficult, int LabelCount)
{
    public int Size => Indices.Length;
}
