namespace Lah.Retrieval.Metrics;

/// <summary>
/// The official LAH per-query protocol: means over the kept queries (those that retrieve something relevant) and
/// per-query [mAP1, mAP2, P, R], NaN for dropped queries.
/// </summary>
public sealed record LahOfficialResult(double Map1, double Map2, double Precision, double Recall, int KeptQueries, double[] QueryMap1, double[] QueryMap2, double[] QueryPrecision, double[] QueryRecall);
