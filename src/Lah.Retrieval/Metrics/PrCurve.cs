namespace Lah.Retrieval.Metrics;

/// <summary>Mean precision and recall at each point (a Hamming radius or a top-k cut-off).</summary>
public sealed record PrCurve(int[] Points, double[] Precision, double[] Recall);
