namespace Lah.Retrieval.Metrics;

/// <summary>
/// The official code's final step for reporting how much it inflates a score: <see cref="Full"/> on every item,
/// <see cref="Selected"/> the positions kept (mAP2 &gt; threshold, best <c>pool</c> by mAP2) and <see cref="Subset"/>
/// the leave-one-out re-score inside them.
/// </summary>
public sealed record LahAuditResult(LahOfficialResult Full, int[] Selected, LahOfficialResult Subset);
