using Lah.Retrieval.Kernels;

namespace Lah.Retrieval.Metrics;

/// <summary>
/// Retrieval metrics from packed codes, one pass over the database per query, queries spread over cores. Relevance
/// is sharing at least one label; definitions follow data/goldens/README.md.
/// </summary>
public static class RetrievalMetrics
{
    private const int QueriesPerBlock = 8;

    /// <summary>Official LAH audit threshold on mAP2.</summary>
    public const double AuditThreshold = 0.09;

    /// <summary>
    /// DCH protocol (the default): the ball is every database item within Hamming ≤ <paramref name="radius"/>.
    /// P = relevant in ball / ball size, R = relevant in ball / relevant in the database (0 when none); empty ball:
    /// P = R = AP = 0; a ball without relevant items: AP = NaN, left out of the MAP. AP ranks the ball as
    /// <paramref name="ranking"/> says: by default as DCH's released code does (inner product of the continuous outputs
    /// alone, descending, then database index; without outputs the inner product of the ±1 codes, K − 2·distance).
    /// Where queries are also database items (leave-one-out), <paramref name="self"/>[q] is the database index of query
    /// q's own item (−1: none): it is left out of the ball and of the relevant count, so no query finds itself.
    /// </summary>
    public static DchResult Dch(
        PackedCodes queryCodes, float[]? queryOutputs, MultiHot queryLabels,
        PackedCodes dbCodes, float[]? dbOutputs, MultiHot dbLabels, int radius = 2, int threads = 0,
        DchBallRanking ranking = DchBallRanking.InnerProduct, int[]? self = null)
    {
        Check(queryCodes, queryOutputs, queryLabels, "query");
        Check(dbCodes, dbOutputs, dbLabels, "database");
        CheckPair(queryCodes, queryLabels, dbCodes, dbLabels);
        CheckSelf(self, queryCodes.Count, dbCodes.Count);
        if (ranking is not (DchBallRanking.InnerProduct or DchBallRanking.HammingFirst))
            throw new ArgumentOutOfRangeException(nameof(ranking), ranking, "unknown ball ranking");
        var nq = queryCodes.Count;
        var k = queryCodes.Bits;
        var w = queryCodes.WordsPerCode;
        var p = new double[nq];
        var r = new double[nq];
        var ap = new double[nq];
        var index = new FlatIndex(dbCodes);
        var bitmaps = new LabelBitmaps(dbLabels);
        var outputs = queryOutputs is not null && dbOutputs is not null;
        Parallelism.ForBlocks(nq, QueriesPerBlock, threads, (start, end) =>
        {
            var mask = new ulong[bitmaps.Words];
            var ball = new List<(int Dist, double Ip, int Index, bool Rel)>();
            // One pass over the database for the whole block: the balls, not every distance.
            var balls = index.RadiusSearchBlock(queryCodes.Words.AsSpan(start * w, (end - start) * w), end - start, radius);
            for (var q = start; q < end; q++)
            {
                var found = balls[q - start];
                var own = self is null ? -1 : self[q];
                var relDb = bitmaps.Relevant(queryLabels.Row(q), mask);
                if (own >= 0 && LabelBitmaps.IsSet(mask, own)) relDb--;
                ball.Clear();
                foreach (var h in found)
                {
                    if (h.Index == own) continue;
                    var ip = outputs ? InnerProduct(queryOutputs, q, dbOutputs, h.Index, k) : k - 2 * h.Distance;
                    ball.Add((h.Distance, ip, h.Index, LabelBitmaps.IsSet(mask, h.Index)));
                }
                if (ball.Count == 0) continue;
                if (ranking == DchBallRanking.InnerProduct)
                    ball.Sort(static (a, b) => a.Ip != b.Ip ? b.Ip.CompareTo(a.Ip) : a.Index.CompareTo(b.Index));
                else
                    ball.Sort(static (a, b) => a.Dist != b.Dist ? a.Dist.CompareTo(b.Dist)
                        : a.Ip != b.Ip ? b.Ip.CompareTo(a.Ip) : a.Index.CompareTo(b.Index));
                var hits = 0;
                var acc = 0.0;
                for (var j = 0; j < ball.Count; j++)
                    if (ball[j].Rel) acc += (double)++hits / (j + 1);
                p[q] = (double)hits / ball.Count;
                r[q] = relDb == 0 ? 0 : (double)hits / relDb;
                ap[q] = hits == 0 ? double.NaN : acc / hits;
            }
        });
        return new DchResult(p.Average(), r.Average(), MeanIgnoringNaN(ap), p, r, ap);
    }

    /// <summary>DCH protocol with labels as row-major multi-hot floats.</summary>
    public static DchResult Dch(
        PackedCodes queryCodes, float[]? queryOutputs, float[] queryLabels,
        PackedCodes dbCodes, float[]? dbOutputs, float[] dbLabels, int radius = 2, int threads = 0,
        DchBallRanking ranking = DchBallRanking.InnerProduct, int[]? self = null) =>
        Dch(queryCodes, queryOutputs, MultiHot.FromFloats(queryLabels, queryCodes.Count, "queryLabels"),
            dbCodes, dbOutputs, MultiHot.FromFloats(dbLabels, dbCodes.Count, "dbLabels"), radius, threads, ranking, self);

    private static void CheckSelf(int[]? self, int queries, int database)
    {
        if (self is null) return;
        if (self.Length != queries)
            throw new ArgumentException($"self: expected one database index (or -1) per query ({queries}), got {self.Length}", nameof(self));
        foreach (var i in self)
            if (i < -1 || i >= database)
                throw new ArgumentException($"self: database index {i} outside -1..{database - 1}", nameof(self));
    }

    /// <summary>
    /// The official LAH protocol on one set, leave-one-out: each item queries all others within Hamming ≤
    /// <paramref name="radius"/>, ranked by distance, then shared labels (descending: ground truth breaks ties),
    /// then index. R's denominator counts the query itself; a query retrieving nothing relevant is dropped (NaN).
    /// </summary>
    public static LahOfficialResult LahOfficial(PackedCodes codes, MultiHot labels, int radius = 2, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Rows != codes.Count)
            throw new ArgumentException($"labels has {labels.Rows} rows, codes has {codes.Count}", nameof(labels));
        var n = codes.Count;
        var m1 = new double[n];
        var m2 = new double[n];
        var p = new double[n];
        var r = new double[n];
        var index = new FlatIndex(codes);
        Parallelism.ForBlocks(n, QueriesPerBlock, threads, (start, end) =>
        {
            var dist = new int[n];
            var ball = new List<(int Dist, int Shared, int Index)>();
            for (var q = start; q < end; q++)
            {
                index.Distances(codes.Code(q), dist);
                var allGt = 0;
                ball.Clear();
                for (var i = 0; i < n; i++)
                {
                    var shared = labels.Shared(q, labels, i);
                    if (shared > 0) allGt++;
                    if (i != q && dist[i] <= radius) ball.Add((dist[i], shared, i));
                }
                ball.Sort(static (a, b) => a.Dist != b.Dist ? a.Dist.CompareTo(b.Dist)
                    : a.Shared != b.Shared ? b.Shared.CompareTo(a.Shared) : a.Index.CompareTo(b.Index));
                var shot = 0;
                var acc = 0.0;
                for (var j = 0; j < ball.Count; j++)
                    if (ball[j].Shared > 0) acc += (double)++shot / (j + 1);
                if (shot == 0)
                {
                    m1[q] = m2[q] = p[q] = r[q] = double.NaN;
                    continue;
                }
                m1[q] = acc / shot;
                m2[q] = acc / ball.Count;
                p[q] = (double)shot / ball.Count;
                r[q] = (double)shot / allGt;
            }
        });
        return new LahOfficialResult(MeanIgnoringNaN(m1), MeanIgnoringNaN(m2), MeanIgnoringNaN(p), MeanIgnoringNaN(r),
            m2.Count(v => !double.IsNaN(v)), m1, m2, p, r);
    }

    /// <summary>
    /// The official code's final step, to show how much it inflates a score: keep queries with mAP2 &gt;
    /// <paramref name="threshold"/>, keep the best <paramref name="pool"/> by mAP2 (ties by index), and re-score
    /// leave-one-out inside that subset. Official pools: 3,000 VOC, 25,000 COCO, 6,000 MIRFlickr.
    /// </summary>
    public static LahAuditResult LahOfficialAudit(PackedCodes codes, MultiHot labels, int pool, double threshold = AuditThreshold, int radius = 2, int threads = 0)
    {
        if (pool < 0) throw new ArgumentOutOfRangeException(nameof(pool), pool, "pool must be >= 0");
        var full = LahOfficial(codes, labels, radius, threads);
        var candidates = Enumerable.Range(0, codes.Count)
            .Where(i => !double.IsNaN(full.QueryMap2[i]) && full.QueryMap2[i] > threshold)
            .OrderByDescending(i => full.QueryMap2[i]).ThenBy(i => i)
            .Take(pool).ToArray();
        var subset = LahOfficial(codes.Select(candidates), labels.Select(candidates), radius, threads);
        return new LahAuditResult(full, candidates, subset);
    }

    /// <summary>
    /// mAP@topK: the whole database ranked by Hamming distance, ties by index; AP = Σ precision-at-hits / hits in
    /// the top <paramref name="topK"/>, 0 when none, and the mean over every query. Identical to DeepHash-pytorch's
    /// <c>CalcTopMap</c> when its <c>np.argsort</c> is stable (it is not by default: ties at equal distance come out
    /// in arbitrary order there). Returns the per-query APs and their mean. <paramref name="self"/> as for
    /// <see cref="Dch(PackedCodes, float[], MultiHot, PackedCodes, float[], MultiHot, int, int, DchBallRanking, int[])"/>:
    /// a query's own item is left out of its ranking.
    /// </summary>
    public static TopKMapResult TopKMap(PackedCodes queryCodes, MultiHot queryLabels, PackedCodes dbCodes, MultiHot dbLabels, int topK,
        int threads = 0, int[]? self = null)
    {
        Check(queryCodes, null, queryLabels, "query");
        Check(dbCodes, null, dbLabels, "database");
        CheckPair(queryCodes, queryLabels, dbCodes, dbLabels);
        CheckSelf(self, queryCodes.Count, dbCodes.Count);
        if (topK <= 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be > 0");
        var ap = new double[queryCodes.Count];
        var index = new FlatIndex(dbCodes);
        var bitmaps = new LabelBitmaps(dbLabels);
        Parallelism.ForBlocks(queryCodes.Count, QueriesPerBlock, threads, (start, end) =>
        {
            var dist = new int[dbCodes.Count];
            var order = new int[dbCodes.Count];
            var hist = new int[dbCodes.Bits + 3]; // distances 0..K, and K + 1 for a left-out own item
            var mask = new ulong[bitmaps.Words];
            for (var q = start; q < end; q++)
            {
                index.Distances(queryCodes.Code(q), dist);
                var own = self is null ? -1 : self[q];
                // Past every real distance (the histogram has a bin for K + 1), so the own item ranks last and is cut.
                if (own >= 0) dist[own] = dbCodes.Bits + 1;
                var n = RankByDistance(dist, hist, order, Math.Min(topK, dist.Length - (own >= 0 ? 1 : 0)));
                bitmaps.Relevant(queryLabels.Row(q), mask);
                var hits = 0;
                var acc = 0.0;
                for (var j = 0; j < n; j++)
                    if (LabelBitmaps.IsSet(mask, order[j])) acc += (double)++hits / (j + 1);
                ap[q] = hits == 0 ? 0 : acc / hits;
            }
        });
        return new TopKMapResult(ap.Length == 0 ? 0 : ap.Average(), ap);
    }

    /// <summary>
    /// Mean precision and recall within each Hamming radius 0..K (DCH conventions: empty ball P = 0; R = 0 when
    /// nothing in the database is relevant).
    /// </summary>
    public static PrCurve PrecisionRecallByRadius(PackedCodes queryCodes, MultiHot queryLabels, PackedCodes dbCodes, MultiHot dbLabels, int threads = 0)
    {
        Check(queryCodes, null, queryLabels, "query");
        Check(dbCodes, null, dbLabels, "database");
        CheckPair(queryCodes, queryLabels, dbCodes, dbLabels);
        var bits = dbCodes.Bits;
        var pSum = new double[queryCodes.Count, bits + 1];
        var rSum = new double[queryCodes.Count, bits + 1];
        var index = new FlatIndex(dbCodes);
        var bitmaps = new LabelBitmaps(dbLabels);
        Parallelism.ForBlocks(queryCodes.Count, QueriesPerBlock, threads, (start, end) =>
        {
            var dist = new int[dbCodes.Count];
            var all = new int[bits + 1];
            var rel = new int[bits + 1];
            var mask = new ulong[bitmaps.Words];
            for (var q = start; q < end; q++)
            {
                index.Distances(queryCodes.Code(q), dist);
                Array.Clear(all);
                Array.Clear(rel);
                var relDb = bitmaps.Relevant(queryLabels.Row(q), mask);
                for (var i = 0; i < dist.Length; i++)
                {
                    all[dist[i]]++;
                    if (LabelBitmaps.IsSet(mask, i)) rel[dist[i]]++;
                }
                int ca = 0, cr = 0;
                for (var d = 0; d <= bits; d++)
                {
                    ca += all[d];
                    cr += rel[d];
                    pSum[q, d] = ca == 0 ? 0 : (double)cr / ca;
                    rSum[q, d] = relDb == 0 ? 0 : (double)cr / relDb;
                }
            }
        });
        return Mean(Enumerable.Range(0, bits + 1).ToArray(), pSum, rSum);
    }

    /// <summary>Mean precision@k and recall@k for each cut-off, the database ranked by Hamming distance then index.</summary>
    public static PrCurve PrecisionRecallByTopK(PackedCodes queryCodes, MultiHot queryLabels, PackedCodes dbCodes, MultiHot dbLabels, int[] cutoffs, int threads = 0)
    {
        Check(queryCodes, null, queryLabels, "query");
        Check(dbCodes, null, dbLabels, "database");
        CheckPair(queryCodes, queryLabels, dbCodes, dbLabels);
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (cutoffs.Any(c => c <= 0)) throw new ArgumentOutOfRangeException(nameof(cutoffs), "every cut-off must be > 0");
        var pSum = new double[queryCodes.Count, cutoffs.Length];
        var rSum = new double[queryCodes.Count, cutoffs.Length];
        var index = new FlatIndex(dbCodes);
        var maxK = Math.Min(cutoffs.DefaultIfEmpty(1).Max(), dbCodes.Count);
        var bitmaps = new LabelBitmaps(dbLabels);
        Parallelism.ForBlocks(queryCodes.Count, QueriesPerBlock, threads, (start, end) =>
        {
            var dist = new int[dbCodes.Count];
            var order = new int[dbCodes.Count];
            var hist = new int[dbCodes.Bits + 2];
            var relPrefix = new int[maxK + 1];
            var mask = new ulong[bitmaps.Words];
            for (var q = start; q < end; q++)
            {
                index.Distances(queryCodes.Code(q), dist);
                var relDb = bitmaps.Relevant(queryLabels.Row(q), mask);
                var n = RankByDistance(dist, hist, order, maxK);
                for (var j = 0; j < n; j++)
                    relPrefix[j + 1] = relPrefix[j] + (LabelBitmaps.IsSet(mask, order[j]) ? 1 : 0);
                for (var c = 0; c < cutoffs.Length; c++)
                {
                    var kk = Math.Min(cutoffs[c], n);
                    pSum[q, c] = kk == 0 ? 0 : (double)relPrefix[kk] / kk;
                    rSum[q, c] = relDb == 0 ? 0 : (double)relPrefix[kk] / relDb;
                }
            }
        });
        return Mean(cutoffs.ToArray(), pSum, rSum);
    }

    /// <summary>
    /// The first <paramref name="take"/> items by (distance, index), written to <paramref name="order"/>: a distance
    /// histogram finds the cut-off distance, then one pass in index order collects them by counting sort.
    /// </summary>
    private static int RankByDistance(int[] dist, int[] hist, int[] order, int take)
    {
        Array.Clear(hist);
        foreach (var d in dist) hist[d + 1]++;
        // hist[d+1] = count at d → prefix: hist[d] = items strictly closer than d.
        for (var d = 1; d < hist.Length; d++) hist[d] += hist[d - 1];
        var cut = 0;
        while (cut + 1 < hist.Length - 1 && hist[cut + 1] < take) cut++;
        for (var i = 0; i < dist.Length; i++)
        {
            var d = dist[i];
            if (d > cut) continue;
            var pos = hist[d]++;
            if (pos < take) order[pos] = i;
        }
        return take;
    }

    private static PrCurve Mean(int[] points, double[,] p, double[,] r)
    {
        var nq = p.GetLength(0);
        var mp = new double[points.Length];
        var mr = new double[points.Length];
        for (var c = 0; c < points.Length; c++)
        {
            for (var q = 0; q < nq; q++) { mp[c] += p[q, c]; mr[c] += r[q, c]; }
            if (nq > 0) { mp[c] /= nq; mr[c] /= nq; }
        }
        return new PrCurve(points, mp, mr);
    }

    private static double InnerProduct(float[]? a, int i, float[]? b, int j, int k)
    {
        if (a is null || b is null) return 0;
        var s = 0.0;
        for (var t = 0; t < k; t++) s += (double)a[i * k + t] * b[j * k + t];
        return s;
    }

    internal static double MeanIgnoringNaN(double[] values)
    {
        var s = 0.0;
        var n = 0;
        foreach (var v in values)
            if (!double.IsNaN(v)) { s += v; n++; }
        return n == 0 ? double.NaN : s / n;
    }

    private static void Check(PackedCodes codes, float[]? outputs, MultiHot labels, string what)
    {
        ArgumentNullException.ThrowIfNull(codes, what + "Codes");
        ArgumentNullException.ThrowIfNull(labels, what + "Labels");
        if (labels.Rows != codes.Count)
            throw new ArgumentException($"{what} labels have {labels.Rows} rows, {what} codes {codes.Count}");
        if (outputs is not null && outputs.Length != (long)codes.Count * codes.Bits)
            throw new ArgumentException($"{what} outputs have {outputs.Length} values, expected {codes.Count}×{codes.Bits}");
    }

    private static void CheckPair(PackedCodes q, MultiHot ql, PackedCodes db, MultiHot dbl)
    {
        if (q.Bits != db.Bits) throw new ArgumentException($"query codes are {q.Bits}-bit, database codes {db.Bits}-bit");
        if (ql.Labels != dbl.Labels) throw new ArgumentException($"query labels have {ql.Labels} classes, database labels {dbl.Labels}");
    }
}
