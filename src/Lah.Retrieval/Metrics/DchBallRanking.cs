namespace Lah.Retrieval.Metrics;

/// <summary>How <see cref="RetrievalMetrics.Dch(PackedCodes, float[], MultiHot, PackedCodes, float[], MultiHot, int, int, DchBallRanking)"/> orders the Hamming ball for AP.</summary>
public enum DchBallRanking
{
    /// <summary>
    /// As DCH's released evaluation (thulab/DeepHash, <c>get_precision_recall_by_Hamming_Radius</c>): inner product of
    /// the continuous outputs alone, descending, then database index; distance plays no part inside the ball. Without
    /// outputs, the inner product of the ±1 codes (K − 2·distance).
    /// </summary>
    InnerProduct,

    /// <summary>
    /// Hamming distance first, then inner product descending, then index: a common reading of "ranked within the radius"
    /// that is not DCH's code; its MAP differs from DCH's whenever outputs disagree with distances inside the ball.
    /// </summary>
    HammingFirst,
}
