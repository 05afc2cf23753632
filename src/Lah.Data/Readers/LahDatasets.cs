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

    /// <summary>
    /// The full-size COCO 2014 pool for <see cref="SplitNames.DchFull"/> and <see cref="SplitNames.LahOfficialFull"/>:
    /// the images of train2014 with at least one annotation followed by those of val2014 (82,081 ‖ 40,137 for the
    /// real files), read from <paramref name="instancesDir"/>/instances_{train,val}2014.json (COCO's
    /// `annotations` folder) with the 80 labels sorted by name, the column order of the LAH label files. Images are at
    /// <paramref name="imageRoot"/>/{train2014,val2014}/file_name, as under <see cref="Load"/>.
    /// </summary>
    /// <remarks>
    /// With <paramref name="checkLayout"/> (how <see cref="DatasetRoot.Load"/> reads a data root) the files must be
    /// COCO's own and agree with the image folders: "categories" are COCO's 80 (<see cref="CocoCategories"/>), every
    /// annotated image's file is in its folder, and every `*.jpg` in train2014 / val2014 is listed in its file's
    /// "images".
    /// </remarks>
    public static DatasetPool LoadCocoFull(string instancesDir, string imageRoot, bool checkLayout = false)
    {
        // Both files are checked before the 450 MB train file is scanned, so a missing val file fails at once.
        string[] sets = ["train2014", "val2014"];
        var files = sets.Select(s => Path.Combine(instancesDir, $"instances_{s}.json")).ToArray();
        foreach (var f in files)
            if (!File.Exists(f))
                throw new FileNotFoundException(
                    $"COCO instances file not found: {f} (the full-size COCO pool needs annotations/instances_train2014.json " +
                    "and instances_val2014.json from annotations_trainval2014.zip)", f);
        var parts = new MultiLabelDataset[sets.Length];
        for (var s = 0; s < sets.Length; s++)
        {
            var dir = Path.Combine(imageRoot, sets[s]);
            if (checkLayout && !Directory.Exists(dir)) throw new DirectoryNotFoundException($"COCO image folder not found: {dir}");
            var read = Coco2014.ReadInstancesFile(files[s], dir, CocoLabelOrder.Alphabetical, cocoCategories: checkLayout);
            if (checkLayout) CheckImageFolder(files[s], dir, read);
            parts[s] = read.Annotated;
        }
        if (!parts[0].LabelNames.SequenceEqual(parts[1].LabelNames))
            throw new DataFormatException(
                $"{files[1]}: its categories ({string.Join(", ", parts[1].LabelNames)}) differ from those of {files[0]} ({string.Join(", ", parts[0].LabelNames)})");
        return new DatasetPool(MultiLabelDataset.Concat("coco2014", parts), parts[0].Count, PoolSource.CocoInstances);
    }

    private static void CheckImageFolder(string json, string dir, CocoInstances read)
    {
        var onDisk = Directory.EnumerateFiles(dir, "*.jpg").Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal);
        var problems = new LayoutProblems();
        for (var i = 0; i < read.Annotated.Count; i++)
        {
            var path = ((FileImageSource)read.Annotated[i].Image).Path;
            if (!onDisk.Contains(Path.GetFileName(path))) problems.Add($"{path}: missing (an annotated image of {json})");
        }
        var listed = read.ImageFiles.ToHashSet(StringComparer.Ordinal);
        foreach (var f in onDisk.Where(f => !listed.Contains(f)).Order(StringComparer.Ordinal))
            problems.Add($"{Path.Combine(dir, f)}: an image without annotation (not in the \"images\" of {json})");
        problems.ThrowIfAny();
    }

    private static (MultiLabelDataset, MultiLabelDataset) CocoParts(string labels, string train, string test, string root)
    {
        var names = LabelFiles.ReadNames(labels);
        return (Coco2014.ReadList(train, names, root), Coco2014.ReadList(test, names, root));
    }
}
