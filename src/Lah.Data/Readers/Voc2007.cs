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
