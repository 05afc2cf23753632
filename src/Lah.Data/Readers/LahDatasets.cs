namespace Lah.Data;

/// <summary>
/// The three benchmarks from the LAH label files (the layout of data/lah/&lt;dataset&gt;, found by
/// <see cref="DataPaths.LahLabelDirectory"/>) with images
/// under an image root laid out as the official code expects.
/// </summary>
public static class LahDatasets
{
    public static readonly IReadOnlyList<string> Names = ["voc2007", "coco2014", "mirflickr25k"];

    /// <summary>
    /// voc2007: classification_{trainval,test}.csv, images `imageRoot/JPEGImages/&lt;id&gt;.jpg` (a VOC2007 devkit folder);
    /// coco2014: train.txt / test.txt with labels.txt, images `imageRoot/{train2014,val2014}/…`;
    /// mirflickr25k: train.csv / test.csv, images `imageRoot/im&lt;id&gt;.jpg`.
    /// </summary>
    public static DatasetPool Load(string dataset, string labelDir, string imageRoot, bool officialMirflickrHeaderBug = false)
    {
        string F(string name) => Path.Combine(labelDir, name);
        (MultiLabelDataset Train, MultiLabelDataset Test) parts = dataset switch
        {
            "voc2007" => (Voc2007.ReadCsv(F("classification_trainval.csv"), imageRoot), Voc2007.ReadCsv(F("classification_test.csv"), imageRoot)),
            "coco2014" => CocoParts(F("labels.txt"), F("train.txt"), F("test.txt"), imageRoot),
            "mirflickr25k" => (Mirflickr25k.ReadCsv(F("train.csv"), imageRoot), Mirflickr25k.ReadCsv(F("test.csv"), imageRoot, officialMirflickrHeaderBug)),
            _ => throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", Names)})"),
        };
        return new DatasetPool(MultiLabelDataset.Concat(dataset, parts.Train, parts.Test), parts.Train.Count);
    }

    private static (MultiLabelDataset, MultiLabelDataset) CocoParts(string labels, string train, string test, string root)
    {
        var names = LabelFiles.ReadNames(labels);
        return (Coco2014.ReadList(train, names, root), Coco2014.ReadList(test, names, root));
    }
}
