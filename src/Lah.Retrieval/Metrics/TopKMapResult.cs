namespace Lah.Retrieval.Metrics;

/// <summary>mAP@topK and the per-query APs.</summary>
public sealed record TopKMapResult(double Map, double[] QueryAp);
