namespace Lah.Data;

/// <summary>Split protocols as data, deterministic for a seed on every machine (xoshiro256**, no System.Random).</summary>
public static class Splits
{
    /// <summary>
    /// The official LAH protocol on a pool made of a training part followed by a test part (e.g. VOC trainval ‖
    /// test, MIRFLICKR train ‖ test): train on the first <paramref name="trainCount"/> items, query with the test
    /// items and retrieve among the test items (leave-one-out). It involves no randomness.
    /// </summary>
    public static RetrievalSplit OfficialLah(int poolCount, int trainCount)
    {
        if (trainCount <= 0 || trainCount >= poolCount)
            throw new ArgumentOutOfRangeException(nameof(trainCount), $"train count {trainCount} must lie in 1..{poolCount - 1}");
        var test = Range(trainCount, poolCount - trainCount);
        return new RetrievalSplit("lah-official", 0, Range(0, trainCount), test, test);
    }

    /// <summary>
    /// LAH's protocol with a seeded random train/test partition of the pool instead of a fixed one (the notes'
    /// recommendation for MIRFLICKR, whose official split is sorted by class).
    /// </summary>
    public static RetrievalSplit SeededLah(int poolCount, int testCount, ulong seed)
    {
        Check(poolCount, testCount, 0);
        var p = Rng.For(seed, 0x1A4).Permutation(poolCount);
        var test = Sorted(p[..testCount]);
        return new RetrievalSplit("lah-seeded", seed, Sorted(p[testCount..]), test, test);
    }

    /// <summary>
    /// DCH-style: <paramref name="queryCount"/> random queries, the rest is the database, and
    /// <paramref name="trainCount"/> training items are drawn from the database (COCO 5,000 / 10,000,
    /// MIRFLICKR 2,000 / 10,000). With <paramref name="trainInDatabase"/> false the training items are removed from
    /// the database instead.
    /// </summary>
    public static RetrievalSplit Dch(int poolCount, int queryCount, int trainCount, ulong seed, bool trainInDatabase = true)
    {
        Check(poolCount, queryCount, trainCount);
        var p = Rng.For(seed, 0xDC4).Permutation(poolCount);
        var query = Sorted(p[..queryCount]);
        var train = Sorted(p[queryCount..(queryCount + trainCount)]);
        var db = Sorted(trainInDatabase ? p[queryCount..] : p[(queryCount + trainCount)..]);
        return new RetrievalSplit("dch", seed, train, query, db);
    }

    /// <summary>DCH-style on VOC: test as queries, trainval as database and training set (pool = trainval ‖ test).</summary>
    public static RetrievalSplit DchFixed(int poolCount, int trainCount)
    {
        if (trainCount <= 0 || trainCount >= poolCount)
            throw new ArgumentOutOfRangeException(nameof(trainCount), $"train count {trainCount} must lie in 1..{poolCount - 1}");
        var train = Range(0, trainCount);
        return new RetrievalSplit("dch-fixed", 0, train, Range(trainCount, poolCount - trainCount), train);
    }

    /// <summary>The paper's protocol for each dataset (pool = the LAH files concatenated train ‖ test).</summary>
    public static RetrievalSplit ForDataset(string dataset, string protocol, int poolCount, int trainPartCount, ulong seed) =>
        (dataset, protocol) switch
        {
            (_, "lah") => OfficialLah(poolCount, trainPartCount),
            ("voc2007", "dch") => DchFixed(poolCount, trainPartCount),
            ("coco2014", "dch") => Dch(poolCount, 5000, 10000, seed),
            ("mirflickr25k", "dch") => Dch(poolCount, 2000, 10000, seed),
            _ => throw new ArgumentException($"unknown dataset/protocol '{dataset}'/'{protocol}' (datasets voc2007, coco2014, mirflickr25k; protocols lah, dch)"),
        };

    private static void Check(int pool, int a, int b)
    {
        if (a <= 0 || b < 0 || a + b > pool)
            throw new ArgumentOutOfRangeException(nameof(pool), $"cannot take {a} + {b} items from a pool of {pool}");
    }

    private static int[] Range(int start, int count) => Enumerable.Range(start, count).ToArray();

    private static int[] Sorted(int[] a)
    {
        Array.Sort(a);
        return a;
    }
}
