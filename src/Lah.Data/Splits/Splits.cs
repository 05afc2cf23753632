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
        return new RetrievalSplit("lah-official", 0, Range(0, trainCount), test, test) { LeaveOneOut = true };
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
        return new RetrievalSplit("lah-seeded", seed, Sorted(p[testCount..]), test, test) { LeaveOneOut = true };
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

    /// <summary>
    /// The named protocols of every dataset (README table "Protocols"). Fixed protocols ignore the seed; random ones
    /// draw <see cref="NamedProtocol.DefaultQueries"/> queries and <see cref="NamedProtocol.DefaultTrain"/> training
    /// items unless the caller passes other counts.
    /// </summary>
    public static readonly IReadOnlyList<NamedProtocol> Named =
    [
        new("voc2007", SplitNames.LahOfficial, PoolSource.LahFiles, null, null,
            "train on trainval (5,011); queries = database = test (4,952), leave-one-out: the official code", LeaveOneOut: true),
        new("voc2007", SplitNames.DchTrainvalTest, PoolSource.LahFiles, null, null,
            "queries = test (4,952); database = training set = trainval (5,011)"),
        new("voc2007", SplitNames.DchDevkit, PoolSource.VocDevkit, null, null,
            "queries = ImageSets/Main/test.txt (4,952); database = training set = trainval.txt (5,011); labels from Annotations/*.xml: the LAH paper's VOC2007 trainval/test"),
        new("voc2007", SplitNames.LahDevkit, PoolSource.VocDevkit, null, null,
            "train on trainval.txt (5,011); queries = database = test.txt (4,952), leave-one-out; labels from Annotations/*.xml: the official code's evaluation", LeaveOneOut: true),
        new("coco2014", SplitNames.HashnetLists, PoolSource.LahFiles, null, null,
            "queries = test.txt (5,000); database = training set = train.txt (10,000): the HashNet-style lists, not DCH's database"),
        new("coco2014", SplitNames.LahLists, PoolSource.LahFiles, null, null,
            "train on train.txt (10,000); queries = database = test.txt (5,000), leave-one-out: the official evaluation on the lists", LeaveOneOut: true),
        new("coco2014", SplitNames.DchLists, PoolSource.LahFiles, 5000, 10000,
            "5,000 seeded queries from the 15,000 list images; database = training set = the other 10,000", 15000),
        new("coco2014", SplitNames.DchFull, PoolSource.CocoInstances, 5000, 10000,
            "5,000 seeded queries from train2014 ∪ val2014 annotated (122,218); database = the other 117,218; 10,000 training images drawn from the database: DCH/HashNet",
            122218),
        new("coco2014", SplitNames.LahOfficialFull, PoolSource.CocoInstances, null, null,
            "train on train2014 annotated (82,081); queries = database = val2014 annotated (40,137), leave-one-out: the official code", LeaveOneOut: true),
        new("mirflickr25k", SplitNames.LahOfficial, PoolSource.LahFiles, null, null,
            "train on train.csv (14,748); queries = database = test.csv (9,833; 9,832 with the official header bug), leave-one-out: the official code", LeaveOneOut: true),
        new("mirflickr25k", SplitNames.DchRandom, PoolSource.LahFiles, 2000, 10000,
            "2,000 seeded queries; database = the other 22,581; 10,000 training images drawn from the database: the LAH paper's text", 24581),
        new("mirflickr25k", SplitNames.DchAnnotations, PoolSource.MirflickrAnnotations, 2000, 10000,
            "2,000 seeded queries of the 24,581 labelled images of mirflickr25k_annotations_v080 (image-number order); database = the other 22,581; 10,000 training images drawn from the database: the LAH paper's text",
            24581),
    ];

    /// <summary>
    /// The pre-naming protocol words, kept so existing experiment files and callers still work; each resolves to the
    /// named protocol that reproduces what it built before (COCO's "dch" on the lists pool is <c>dch-lists</c>).
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Dataset, string Alias), string> Aliases =
        new Dictionary<(string, string), string>
        {
            [("voc2007", "lah")] = SplitNames.LahOfficial,
            [("voc2007", "dch")] = SplitNames.DchTrainvalTest,
            [("coco2014", "lah")] = SplitNames.LahLists,
            [("coco2014", "dch")] = SplitNames.DchLists,
            [("mirflickr25k", "lah")] = SplitNames.LahOfficial,
            [("mirflickr25k", "dch")] = SplitNames.DchRandom,
        };

    /// <summary>The named protocol (or alias) of a dataset; unknown names throw, listing the valid ones.</summary>
    public static NamedProtocol Find(string dataset, string protocol)
    {
        var forDataset = Named.Where(n => n.Dataset == dataset).ToList();
        if (forDataset.Count == 0)
            throw new ArgumentException(
                $"unknown dataset '{dataset}' (datasets: {string.Join(", ", Named.Select(n => n.Dataset).Distinct())})", nameof(dataset));
        var name = Aliases.TryGetValue((dataset, protocol), out var resolved) ? resolved : protocol;
        return forDataset.FirstOrDefault(n => n.Name == name)
            ?? throw new ArgumentException(
                $"unknown protocol '{protocol}' for {dataset} (protocols: {string.Join(", ", forDataset.Select(n => n.Name))}; " +
                $"old names: {string.Join(", ", Aliases.Where(a => a.Key.Dataset == dataset).Select(a => $"{a.Key.Alias} = {a.Value}"))})",
                nameof(protocol));
    }

    /// <summary>
    /// A named protocol (<see cref="Named"/>, or an old name in <see cref="Aliases"/>) on a pool given by its size and
    /// its training part (the first <paramref name="trainPartCount"/> items). <paramref name="queries"/> and
    /// <paramref name="train"/> override a random protocol's counts (tests, small runs). The split's
    /// <see cref="RetrievalSplit.Protocol"/> is the resolved name. Nothing checks which pool the counts describe:
    /// prefer <see cref="ForPool"/>.
    /// </summary>
    public static RetrievalSplit ForDataset(string dataset, string protocol, int poolCount, int trainPartCount, ulong seed,
        int? queries = null, int? train = null)
    {
        var p = Find(dataset, protocol);
        if (p.DefaultQueries is null && (queries is not null || train is not null))
            throw new ArgumentException($"{p.Name} is a fixed split of the pool's parts: it takes no query or training count");
        RetrievalSplit split;
        if (p.DefaultQueries is null)
            split = p.LeaveOneOut ? OfficialLah(poolCount, trainPartCount) : DchFixed(poolCount, trainPartCount);
        else
        {
            var (q, t) = CountsFor(p, poolCount);
            split = Dch(poolCount, queries ?? q, train ?? t, seed);
        }
        return split with { Protocol = p.Name };
    }

    /// <summary>
    /// The query and training counts of a random protocol on a pool of <paramref name="poolCount"/> items: its
    /// defaults, or on a pool smaller than the real one (<see cref="NamedProtocol.FullPool"/>, e.g. a rendered
    /// subset) both scaled by poolCount / FullPool, rounded half up, at least 1 query and 1 training item
    /// (MIRFLICKR's 2,000 / 10,000 of 24,581 become 200 / 1,000 on 2,458 labelled images).
    /// </summary>
    public static (int Queries, int Train) CountsFor(NamedProtocol protocol, int poolCount)
    {
        if (protocol.DefaultQueries is not { } q || protocol.DefaultTrain is not { } t)
            throw new ArgumentException($"{protocol.Name} is a fixed split of the pool's parts: it has no query or training count");
        if (protocol.FullPool is not { } full || poolCount >= full) return (q, t);
        int Scale(int n) => (int)Math.Max(1, ((long)n * poolCount + full / 2) / full);
        var queries = Scale(q);
        return (queries, Math.Min(Scale(t), poolCount - queries));
    }

    /// <summary>
    /// <see cref="ForDataset"/> on a loaded pool, refusing a protocol defined on another pool (e.g. <c>dch-full</c>
    /// on the HashNet lists: it needs <see cref="LahDatasets.LoadCocoFull"/>). A random protocol's counts are scaled
    /// down on a pool smaller than the real one (<see cref="CountsFor"/>).
    /// </summary>
    public static RetrievalSplit ForPool(string dataset, string protocol, DatasetPool pool, ulong seed, int? queries = null, int? train = null)
    {
        var p = Find(dataset, protocol);
        if (p.Pool != pool.Source)
            throw new ArgumentException(
                $"protocol {p.Name} is defined on the {p.Pool} pool, but this {dataset} pool is from {pool.Source} " +
                $"(protocols for it: {string.Join(", ", Named.Where(n => n.Dataset == dataset && n.Pool == pool.Source).Select(n => n.Name))}; " +
                $"load the {p.Pool} pool with {Loader(p.Pool)})");
        return ForDataset(dataset, p.Name, pool.Pool.Count, pool.TrainCount, seed, queries, train);
    }

    /// <summary>
    /// The validation hold-out of a training split: a seeded <paramref name="fraction"/> of <paramref name="train"/>
    /// (at least one item) and the rest, which trains and is the hold-out's database. Drawn from the training items only,
    /// so choosing an epoch or a setting on it never looks at the reported queries.
    /// </summary>
    public static (int[] Fit, int[] Validation) ValidationHoldOut(IReadOnlyList<int> train, double fraction, ulong seed)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"validation fraction {fraction}: expected a fraction in (0, 1)");
        int n = train.Count, v = Math.Max(1, (int)Math.Round(n * fraction));
        if (v >= n) throw new ArgumentException($"a validation hold-out of {v} leaves nothing of {n} training items to train on", nameof(fraction));
        var perm = Rng.For(seed, 0x7A1D).Permutation(n);
        return (Sorted(perm[v..].Select(i => train[i]).ToArray()), Sorted(perm[..v].Select(i => train[i]).ToArray()));
    }

    private static string Loader(string pool) => pool switch
    {
        PoolSource.LahFiles => "LahDatasets.Load",
        PoolSource.CocoInstances => "LahDatasets.LoadCocoFull or DatasetRoot.Load",
        _ => "DatasetRoot.Load",
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
