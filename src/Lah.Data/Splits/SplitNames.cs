namespace Lah.Data;

/// <summary>
/// The names of the split protocols (<see cref="Splits.Named"/> says which dataset and pool each applies to).
/// Whether a protocol searches its queries leave-one-out is the split's own field (<see cref="RetrievalSplit.LeaveOneOut"/>).
/// </summary>
public static class SplitNames
{
    /// <summary>VOC2007, MIRFLICKR-25K: train on the training file, leave-one-out among the test file (official code).</summary>
    public const string LahOfficial = "lah-official";

    /// <summary>VOC2007: queries = test, database = training set = trainval.</summary>
    public const string DchTrainvalTest = "dch-trainval-test";

    /// <summary>MIRFLICKR-25K: 2,000 seeded queries, the rest the database, 10,000 of it for training (the paper's text).</summary>
    public const string DchRandom = "dch-random";

    /// <summary>COCO lists: queries = test.txt (5,000), database = training set = train.txt (10,000).</summary>
    public const string HashnetLists = "hashnet-lists";

    /// <summary>COCO lists: train on train.txt, leave-one-out among test.txt.</summary>
    public const string LahLists = "lah-lists";

    /// <summary>COCO lists: 5,000 seeded queries of the 15,000, the other 10,000 database and training set (the old "dch").</summary>
    public const string DchLists = "dch-lists";

    /// <summary>COCO full: 5,000 seeded queries of train2014 ∪ val2014 annotated, the rest the database, 10,000 of it for training.</summary>
    public const string DchFull = "dch-full";

    /// <summary>COCO full: train on train2014 annotated, leave-one-out among val2014 annotated (official code).</summary>
    public const string LahOfficialFull = "lah-official-full";

    /// <summary>VOC2007 devkit (Annotations XML + ImageSets/Main): queries = test, database = training set = trainval.</summary>
    public const string DchDevkit = "dch-devkit";

    /// <summary>VOC2007 devkit: train on trainval, leave-one-out among test (the official code's evaluation).</summary>
    public const string LahDevkit = "lah-devkit";

    /// <summary>
    /// MIRFLICKR-25K release's annotation files: 2,000 seeded queries of the labelled images, the rest the database,
    /// 10,000 of it for training (the paper's text).
    /// </summary>
    public const string DchAnnotations = "dch-annotations";

    /// <summary>A custom dataset's given lists: train, queries and database as listed (<see cref="CustomDataset"/>).</summary>
    public const string CustomLists = "custom-lists";

    /// <summary>A custom dataset's single pool split by <see cref="Splits.Dch"/>: seeded queries, the rest the database, training drawn from it.</summary>
    public const string CustomDch = "custom-dch";
}

/// <summary>
/// One named protocol of one dataset: the pool it is defined on (<see cref="PoolSource"/>) and, for a random protocol,
/// its query and training counts (null: a fixed split of the pool's training and test parts) and the size of the
/// real pool those counts are for (<see cref="FullPool"/>: on a smaller pool, a rendered subset, they are scaled
/// down in proportion by <see cref="Splits.CountsFor"/>).
/// </summary>
public sealed record NamedProtocol(string Dataset, string Name, string Pool, int? DefaultQueries, int? DefaultTrain, string Description,
    int? FullPool = null, bool LeaveOneOut = false);
