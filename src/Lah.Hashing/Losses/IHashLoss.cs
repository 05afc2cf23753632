using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Hashing.Losses;

/// <summary>
/// The loss contract of the one training loop: every loss (Cauchy variants, classification BCE, hybrid, CSQ,
/// HashNet, DPSH) implements it; the loop knows nothing else about a loss.
/// </summary>
public interface IHashLoss
{
    /// <summary>A short name for logs and fingerprints: "cauchy", "classification", "hybrid", "csq", "hashnet", "dpsh".</summary>
    string Name { get; }

    /// <summary>The smallest batch it can score (pairwise losses need 2).</summary>
    int MinBatch => 2;

    /// <summary>
    /// Whether the loss couples the rows of a batch — pairs, or weights and normalisers counted over the batch — so that
    /// under data parallelism it must see the global batch: the loop then gathers every rank's outputs and labels
    /// (gradients flow through this rank's rows) and sums gradients over ranks. False only for a mean of per-row terms,
    /// whose ranks' means over equal slices average to the global batch's: each rank then scores its own slice and
    /// gradients are averaged, as under plain DDP. Either way N ranks × batch B train as one process × batch N·B.
    /// True unless a loss says otherwise: gathering is always correct, only not always needed.
    /// </summary>
    bool NeedsGlobalBatch => true;

    /// <summary>Called before each epoch (0-based): HashNet's β continuation.</summary>
    void BeginEpoch(int epoch) { }

    /// <summary>Label centers (R×K, ±1) the loss pulls toward, saved with the model; null for losses without centers.</summary>
    Tensor? Centers => null;

    /// <summary>The loss of one forward pass of the head against the batch's multi-hot labels (B×R, 0/1).</summary>
    LossValue Compute(HeadOutput output, Tensor labels);
}

/// <summary>The scalar to minimise and its named parts (as weighted in the total), for logs and divergence messages.</summary>
public sealed record LossValue(Tensor Total, IReadOnlyList<(string Name, Tensor Value)> Parts)
{
    /// <summary>A total without parts.</summary>
    public LossValue(Tensor total) : this(total, []) { }
}
