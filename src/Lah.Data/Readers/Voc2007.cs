using System.Xml;

namespace Lah.Data;

/// <summary>PASCAL VOC 2007: the devkit (Annotations XML, ImageSets/Main) and the LAH classification CSVs.</summary>
public static class Voc2007
{
    public static readonly IReadOnlyList<string> Labels =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    /// <summary>
    /// Reads the image set `ImageSets/Main/{set}.txt` of a devkit folder (`…/VOCdevkit/VOC2007`) and each image's
    /// labels from `Annotations/{id}.xml`: positive if a non-difficult object of the class is present, difficult if
    /// only difficult ones are (VOC's own rule for the classification ground truth).
    /// </summary>
    public static MultiLabelDataset ReadDevkit(string devkitDir, string set)
    {
        var ids = ReadImageSet(Path.Combine(devkitDir, "ImageSets", "Main", set + ".txt"));
        var index = Labels.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i);
        var items = new List<DatasetItem>(ids.Length);
        foreach (var id in ids)
        {
            var xml = Path.Combine(devkitDir, "Annotations", id + ".xml");
            var pos = new bool[Labels.Count];
            var diff = new bool[Labels.Count];
            foreach (var (name, difficult) in ReadObjects(xml))
            {
                if (!index.TryGetValue(name, out var c))
                    throw new DataFormatException($"{xml}: object name '{name}' is not one of the 20 VOC classes");
                if (difficult) diff[c] = true;
                else pos[c] = true;
            }
            for (var c = 0; c < pos.Length; c++) if (pos[c]) diff[c] = false;
            items.Add(new DatasetItem(id, Image(devkitDir, id), new MultiLabel(pos, diff)));
        }
        return new MultiLabelDataset($"voc2007-{set}", Labels, items);
    }

    /// <summary>
    /// The devkit as one pool, trainval ‖ test (<see cref="PoolSource.VocDevkit"/>), labels from `Annotations/*.xml`
    /// (<see cref="ReadDevkit"/>), after checking that the files agree: every image listed in
    /// `ImageSets/Main/{trainval,test}.txt` has its `JPEGImages/{id}.jpg` and `Annotations/{id}.xml`, no image is in
    /// both sets, every `JPEGImages/*.jpg` is in one of them, and the per-class lists `{class}_{set}.txt` (where
    /// present: the official code regenerates its labels from them) say what the XML says.
    /// </summary>
    public static DatasetPool LoadDevkit(string devkitDir)
    {
        var main = Path.Combine(devkitDir, "ImageSets", "Main");
        var jpegDir = Path.Combine(devkitDir, "JPEGImages");
        var annDir = Path.Combine(devkitDir, "Annotations");
        foreach (var dir in new[] { jpegDir, annDir })
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"VOC2007 devkit folder not found: {dir}");
        string[] sets = ["trainval", "test"];
        var lists = sets.Select(set => ReadImageSet(Path.Combine(main, set + ".txt"))).ToArray();
        var images = Directory.EnumerateFiles(jpegDir, "*.jpg").Select(f => Path.GetFileNameWithoutExtension(f)).ToHashSet(StringComparer.Ordinal);
        var annotations = Directory.EnumerateFiles(annDir, "*.xml").Select(f => Path.GetFileNameWithoutExtension(f)).ToHashSet(StringComparer.Ordinal);
        var problems = new LayoutProblems();
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var s = 0; s < sets.Length; s++)
        {
            var file = Path.Combine(main, sets[s] + ".txt");
            foreach (var id in lists[s])
            {
                if (!listed.TryAdd(id, sets[s]))
                    problems.Add($"{file}: image {id} is also listed in {listed[id]}.txt");
                if (!images.Contains(id)) problems.Add($"{Path.Combine(jpegDir, id + ".jpg")}: missing (listed in {file})");
                if (!annotations.Contains(id)) problems.Add($"{Path.Combine(annDir, id + ".xml")}: missing (image {id} is listed in {file})");
            }
        }
        foreach (var id in images.Where(i => !listed.ContainsKey(i)).Order(StringComparer.Ordinal))
            problems.Add($"{Path.Combine(jpegDir, id + ".jpg")}: an image without annotation (in neither trainval.txt nor test.txt of {main})");
        problems.ThrowIfAny();

        var parts = sets.Select(set => ReadDevkit(devkitDir, set)).ToArray();
        for (var s = 0; s < sets.Length; s++) CheckClassImageSets(devkitDir, sets[s], parts[s]);
        return new DatasetPool(MultiLabelDataset.Concat("voc2007", parts), parts[0].Count, PoolSource.VocDevkit);
    }

    /// <summary>The per-class lists of a set, where any is present, must all be there and agree with the XML labels.</summary>
    private static void CheckClassImageSets(string devkitDir, string set, MultiLabelDataset fromXml)
    {
        var files = Labels.Select(c => Path.Combine(devkitDir, "ImageSets", "Main", $"{c}_{set}.txt")).ToArray();
        var present = files.Count(DataFile.Exists);
        if (present == 0) return;
        if (present < files.Length)
            throw new DataFormatException(
                $"{files.First(f => !DataFile.Exists(f))}: missing ({present} of the 20 per-class lists of {set} are present)");
        var fromLists = ReadClassImageSets(devkitDir, set);
        for (var i = 0; i < fromXml.Count; i++)
        {
            sbyte[] a = fromXml[i].Labels.ToSigned(), b = fromLists[i].Labels.ToSigned();
            for (var c = 0; c < a.Length; c++)
                if (a[c] != b[c])
                    throw new DataFormatException(
                        $"{files[c]}: image {fromXml[i].Id} is {b[c]} there but {a[c]} by {Path.Combine(devkitDir, "Annotations", fromXml[i].Id + ".xml")}");
        }
    }

    /// <summary>
    /// Labels from the per-class lists `ImageSets/Main/{class}_{set}.txt` (`id 1|0|-1`), how the official code
    /// regenerates its CSV when it is missing.
    /// </summary>
    public static MultiLabelDataset ReadClassImageSets(string devkitDir, string set)
    {
        var ids = ReadImageSet(Path.Combine(devkitDir, "ImageSets", "Main", set + ".txt"));
        var row = ids.Select((id, i) => (id, i)).ToDictionary(t => t.id, t => t.i);
        var pos = ids.Select(_ => new bool[Labels.Count]).ToArray();
        var diff = ids.Select(_ => new bool[Labels.Count]).ToArray();
        for (var c = 0; c < Labels.Count; c++)
        {
            var file = Path.Combine(devkitDir, "ImageSets", "Main", $"{Labels[c]}_{set}.txt");
            var lines = LabelFiles.ReadLines(file);
            for (var li = 0; li < lines.Count; li++)
            {
                var f = lines[li].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 0) continue;
                if (f.Length != 2) throw DataFormatException.At(file, li + 1, "expected `image_id value`");
                if (!row.TryGetValue(f[0], out var r))
                    throw DataFormatException.At(file, li + 1, $"image '{f[0]}' is not in {set}.txt");
                switch (f[1])
                {
                    case "1": pos[r][c] = true; break;
                    case "0": diff[r][c] = true; break;
                    case "-1": break;
                    default: throw DataFormatException.At(file, li + 1, $"value '{f[1]}', expected 1, 0 or -1");
                }
            }
        }
        return new MultiLabelDataset($"voc2007-{set}", Labels,
            ids.Select((id, i) => new DatasetItem(id, Image(devkitDir, id), new MultiLabel(pos[i], diff[i]))));
    }

    /// <summary>A LAH CSV (`classification_{trainval,test}.csv`) with images in `JPEGImages/{name}.jpg` under the devkit.</summary>
    public static MultiLabelDataset ReadCsv(string csvPath, string devkitDir)
    {
        var table = LabelFiles.ReadCsv(csvPath, Labels);
        return table.ToDataset("voc2007-" + Path.GetFileNameWithoutExtension(csvPath).Replace("classification_", ""),
            id => Image(devkitDir, id));
    }

    private static FileImageSource Image(string devkitDir, string id) =>
        new(Path.Combine(devkitDir, "JPEGImages", id + ".jpg"));

    private static string[] ReadImageSet(string path) =>
        LabelFiles.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    private static List<(string Name, bool Difficult)> ReadObjects(string xmlPath)
    {
        if (!File.Exists(xmlPath)) throw new FileNotFoundException($"VOC annotation not found: {xmlPath}", xmlPath);
        var doc = new XmlDocument();
        try
        {
            doc.Load(xmlPath);
        }
        catch (XmlException e)
        {
            throw new DataFormatException($"{xmlPath}:{e.LineNumber}: malformed XML: {e.Message}", e);
        }
        var result = new List<(string, bool)>();
        foreach (XmlNode obj in doc.SelectNodes("/annotation/object")!)
        {
            var name = obj.SelectSingleNode("name")?.InnerText.Trim()
                ?? throw new DataFormatException($"{xmlPath}: an <object> has no <name>");
            var d = obj.SelectSingleNode("difficult")?.InnerText.Trim() ?? "0";
            if (d is not ("0" or "1"))
                throw new DataFormatException($"{xmlPath}: object '{name}' has <difficult>{d}</difficult>, expected 0 or 1");
            result.Add((name, d == "1"));
        }
        return result;
    }
}
