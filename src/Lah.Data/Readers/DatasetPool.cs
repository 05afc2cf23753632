namespace Lah.Data;

/// <summary>
/// A pool of items whose first <see cref="TrainCount"/> are the official training part (the rest: test).
/// <see cref="Source"/> says which files it was built from (<see cref="PoolSource"/>), so a protocol that needs the
/// other pool (e.g. COCO's full-size protocols on the 15,000-image HashNet lists) is refused by
/// <see cref="Splits.ForPool"/> instead of silently giving a split of the wrong size.
/// </summary>
public sealed record DatasetPool(MultiLabelDataset Pool, int TrainCount, string Source = PoolSource.LahFiles)
{
    public int TestCount => Pool.Count - TrainCount;
}

/// <summary>Which files a <see cref="DatasetPool"/> comes from.</summary>
public static class PoolSource
{
    /// <summary>The LAH label files (data/lah/&lt;dataset&gt;): <see cref="LahDatasets.Load"/>.</summary>
    public const string LahFiles = "lah-files";

    /// <summary>COCO's instances_{train,val}2014.json, annotated images only: <see cref="LahDatasets.LoadCocoFull"/>.</summary>
    public const string CocoInstances = "coco-instances";

    /// <summary>The VOC2007 devkit's Annotations/*.xml and ImageSets/Main, trainval ‖ test: <see cref="Voc2007.LoadDevkit"/>.</summary>
    public const string VocDevkit = "voc-devkit";

    /// <summary>MIRFLICKR-25K's mirflickr25k_annotations_v080/*.txt, labelled images by number: <see cref="Mirflickr25k.LoadRelease"/>.</summary>
    public const string MirflickrAnnotations = "mirflickr-annotations";
}
