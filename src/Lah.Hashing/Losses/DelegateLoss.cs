using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Hashing.Losses;

/// <summary>
/// Any loss as a function of (head output, labels) → scalar, without parts (for tests). <paramref name="globalBatch"/>:
/// <see cref="IHashLoss.NeedsGlobalBatch"/> (false only for a mean of per-row terms).
/// </summary>
public sealed class DelegateLoss(string name, Func<HeadOutput, Tensor, Tensor> compute, int minBatch = 2, bool globalBatch = true) : IHashLoss
{
    public string Name { get; } = name;

    public bool NeedsGlobalBatch { get; } = globalBatch;

    public int MinBatch { get; } = minBatch >= 1 ? minBatch : throw new ArgumentException($"minBatch: expected at least 1, got {minBatch}");

    public LossValue Compute(HeadOutput output, Tensor labels) => new(compute(output, labels));
}
