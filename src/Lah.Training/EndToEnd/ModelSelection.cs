namespace Lah.Training.EndToEnd;

/// <summary>Which evaluation picks the epoch whose weights are kept as the result.</summary>
public enum ModelSelection
{
    /// <summary>MAP on a validation part held out of the training items (the honest default).</summary>
    Validation,

    /// <summary>
    /// The highest MAP on the test queries (mAP1 under <see cref="EvaluationProtocol.LahOfficial"/>). Reported results
    /// are then optimistic: not what the official code does either (see <see cref="OfficialTestLoss"/>).
    /// </summary>
    BestTestMap,

    /// <summary>
    /// The official code's criterion: the epoch with the lowest loss on the test queries (eval mode, batches of
    /// <see cref="EndToEndOptions.EvalBatchSize"/>). Use only to reproduce the official numbers.
    /// </summary>
    OfficialTestLoss,
}

/// <summary>How each <see cref="ModelSelection"/> scores an epoch and picks the best one.</summary>
public static class ModelSelectionRules
{
    /// <summary>Whether the criterion needs the test queries evaluated every epoch.</summary>
    public static bool NeedsTest(this ModelSelection selection) => selection != ModelSelection.Validation;

    /// <summary>The epoch's score, higher is better (the negated loss for <see cref="ModelSelection.OfficialTestLoss"/>); NaN when missing.</summary>
    public static double Score(this ModelSelection selection, EpochRecord record) => selection switch
    {
        ModelSelection.Validation => record.ValidationMap ?? double.NaN,
        ModelSelection.BestTestMap => record.TestMap ?? double.NaN,
        ModelSelection.OfficialTestLoss => record.TestLoss is { } loss ? -loss : double.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(selection), selection, "unknown model selection"),
    };

    /// <summary>
    /// Whether <paramref name="score"/> replaces the best so far: NaN never beats a number, the first epoch of a tie
    /// wins, and the first epoch is kept when nothing better comes.
    /// </summary>
    public static bool Improves(double score, int bestEpoch, double bestScore) =>
        bestEpoch < 0 || (!double.IsNaN(score) && (double.IsNaN(bestScore) || score > bestScore));

    /// <summary>The epoch the trainer keeps for a finished history (as it decides epoch by epoch).</summary>
    public static int Select(this ModelSelection selection, IReadOnlyList<EpochRecord> history)
    {
        int best = -1;
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < history.Count; i++)
        {
            double score = selection.Score(history[i]);
            if (Improves(score, best, bestScore)) (best, bestScore) = (i, score);
        }
        return best;
    }
}
