namespace Lah.Retrieval.Metrics;

/// <summary>
/// DCH protocol within a Hamming radius: mean precision and recall over all queries, MAP over the queries whose ball
/// holds something relevant (their AP is NaN otherwise), and the per-query values.
/// </summary>
public sealed record DchResult(double Precision, double Recall, double Map, double[] QueryPrecision, double[] QueryRecall, double[] QueryAp);
