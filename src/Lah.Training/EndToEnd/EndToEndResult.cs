namespace Lah.Training.EndToEnd;

/// <summary>
/// A finished run: every epoch's record, the selected epoch (by the configured <see cref="ModelSelection"/>) and the
/// test metrics of its weights, which the network holds when the trainer returns.
/// </summary>
public sealed record EndToEndResult(
    IReadOnlyList<EpochRecord> Epochs,
    int SelectedEpoch,
    ModelSelection SelectedBy,
    double TestMap,
    double TestPrecision,
    double TestRecall,
    int TotalSteps);
