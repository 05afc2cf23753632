namespace Lah.Retrieval.Metrics;

/// <summary>Per-class non-interpolated AP and 100 × their mean (ML-GCN's AveragePrecisionMeter).</summary>
public sealed record ClassificationResult(double[] ClassAp, double Map);
