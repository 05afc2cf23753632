namespace Lah.Retrieval.Metrics;

/// <summary>Per-class classification AP as ML-GCN's AveragePrecisionMeter with difficult_examples = true.</summary>
public static class ClassificationMetrics
{
    /// <summary>
    /// For each class: items by score descending (ties by index); target 0 (difficult) is skipped entirely, 1 is
    /// positive, -1 negative; AP = Σ over positives of precision among counted items / number of positives (0
    /// without positives). Map = 100 × mean AP over the classes with at least one positive: ML-GCN's code divides by
    /// zero on a class without one, so its AP is undefined and such a class is left out (every class of VOC's and
    /// COCO's test sets has positives, where this is ML-GCN's mAP exactly). This is the project's one definition of
    /// classification mAP (pre-training's held-out score, Figure 3). Arrays are row-major items × classes.
    /// </summary>
    public static ClassificationResult AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int items)
    {
        if (items <= 0) throw new ArgumentOutOfRangeException(nameof(items), items, "items must be > 0");
        if (scores.Length % items != 0 || scores.Length == 0)
            throw new ArgumentException($"scores has {scores.Length} values, not a positive multiple of {items} items", nameof(scores));
        if (targets.Length != scores.Length)
            throw new ArgumentException($"targets has {targets.Length} values, scores {scores.Length}", nameof(targets));
        var classes = scores.Length / items;
        var ap = new double[classes];
        var present = new bool[classes];
        var order = new int[items];
        var col = new float[items];
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < items; i++) { order[i] = i; col[i] = scores[i * classes + c]; }
            Array.Sort(order, (a, b) => col[a] != col[b] ? col[b].CompareTo(col[a]) : a.CompareTo(b));
            int pos = 0, counted = 0;
            var acc = 0.0;
            foreach (var i in order)
            {
                var t = targets[i * classes + c];
                if (t == 0) continue;
                counted++;
                if (t > 0) acc += (double)++pos / counted;
            }
            ap[c] = pos == 0 ? 0 : acc / pos;
            present[c] = pos > 0;
        }
        var kept = Enumerable.Range(0, classes).Where(c => present[c]).Select(c => ap[c]).ToList();
        return new ClassificationResult(ap, kept.Count == 0 ? double.NaN : 100 * kept.Average());
    }
}
