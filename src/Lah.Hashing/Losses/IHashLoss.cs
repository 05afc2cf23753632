using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Hashing.Losses;

// TEMPORARY STUB (replaced by the hashing-settings branch on merge).
public interface IHashLoss
{
    string Name { get; }
    int MinBatch => 2;
    void BeginEpoch(int epoch) { }
    Tensor? Centers => null;
    LossValue Compute(HeadOutput output, Tensor labels);
}

public sealed record LossValue(Tensor Total, IReadOnlyList<(string Name, Tensor Value)> Parts);
