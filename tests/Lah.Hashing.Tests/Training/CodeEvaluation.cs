namespace Lah.Hashing.Tests.Training;

/// <summary>DCH's MAP@H≤2 (empty ball counts 0, a ball without relevant items is left out; ties by index).</summary>
public static class CodeEvaluation
{
    public static double MapWithinRadius2(sbyte[] query, float[] queryLabels, sbyte[] db, float[] dbLabels, int k, int r)
    {
        int nq = query.Length / k, nd = db.Length / k;
        double sum = 0;
        int kept = 0;
        for (int q = 0; q < nq; q++)
        {
            var ball = new List<(int Dist, int Index)>();
            for (int i = 0; i < nd; i++)
            {
                int dist = 0;
                for (int b = 0; b < k; b++) if (query[q * k + b] != db[i * k + b]) dist++;
                if (dist <= 2) ball.Add((dist, i));
            }
            if (ball.Count == 0) { kept++; continue; }
            ball.Sort();
            int hits = 0;
            double ap = 0;
            for (int n = 0; n < ball.Count; n++)
            {
                bool relevant = false;
                for (int l = 0; l < r && !relevant; l++) relevant = queryLabels[q * r + l] > 0 && dbLabels[ball[n].Index * r + l] > 0;
                if (relevant) ap += (double)++hits / (n + 1);
            }
            if (hits == 0) continue;
            sum += ap / hits;
            kept++;
        }
        return kept == 0 ? 0 : sum / kept;
    }
}
