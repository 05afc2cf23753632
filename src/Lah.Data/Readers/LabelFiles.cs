namespace Lah.Data;

/// <summary>
/// The LAH label files: `name,l1,…,lC` CSVs with 1 / 0 (difficult) / -1 (header optional, LF or CRLF), and the
/// COCO list files `relpath v1 … vC` with 0/1 values.
/// </summary>
public static class LabelFiles
{
    /// <summary>
    /// Reads a LAH CSV. A first line starting with `name,` is the header and gives the label names; a file without
    /// one needs <paramref name="labelNames"/>. Given both, they must agree.
    /// </summary>
    public static LabelTable ReadCsv(string path, IReadOnlyList<string>? labelNames = null, bool dropFirstRowIfNoHeader = false)
    {
        var lines = ReadLines(path);
        var start = 0;
        IReadOnlyList<string>? names = labelNames;
        if (lines.Count > 0 && lines[0].StartsWith("name,", StringComparison.Ordinal))
        {
            var header = lines[0].Split(',').Skip(1).Select(s => s.Trim()).ToArray();
            if (labelNames is not null && !header.SequenceEqual(labelNames))
                throw DataFormatException.At(path, 1, $"header labels [{string.Join(",", header)}] differ from the expected [{string.Join(",", labelNames)}]");
            names = header;
            start = 1;
        }
        else if (dropFirstRowIfNoHeader)
        {
            start = 1; // the official code reads header-less files with header=True and so loses their first row
        }
        if (names is null)
            throw new DataFormatException($"{path}: no `name,…` header line and no label names given");

        var ids = new List<string>();
        var labels = new List<MultiLabel>();
        for (var li = start; li < lines.Count; li++)
        {
            var line = lines[li];
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != names.Count + 1)
                throw DataFormatException.At(path, li + 1, $"{f.Length - 1} label values, expected {names.Count}");
            var pos = new bool[names.Count];
            var diff = new bool[names.Count];
            for (var c = 0; c < names.Count; c++)
            {
                switch (f[c + 1].Trim())
                {
                    case "1": pos[c] = true; break;
                    case "0": diff[c] = true; break;
                    case "-1": break;
                    default:
                        throw DataFormatException.At(path, li + 1, $"label '{names[c]}' has value '{f[c + 1]}', expected 1, 0 or -1");
                }
            }
            ids.Add(f[0].Trim());
            labels.Add(new MultiLabel(pos, diff));
        }
        return new LabelTable(names, ids, labels);
    }

    /// <summary>Reads a COCO list file (`train2014/COCO_….jpg 0 1 0 …`): names are the relative image paths.</summary>
    public static LabelTable ReadSpaceList(string path, IReadOnlyList<string> labelNames)
    {
        var lines = ReadLines(path);
        var ids = new List<string>();
        var labels = new List<MultiLabel>();
        for (var li = 0; li < lines.Count; li++)
        {
            var line = lines[li];
            if (line.Length == 0) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != labelNames.Count + 1)
                throw DataFormatException.At(path, li + 1, $"{f.Length - 1} label values, expected {labelNames.Count}");
            var pos = new bool[labelNames.Count];
            for (var c = 0; c < labelNames.Count; c++)
            {
                pos[c] = f[c + 1] switch
                {
                    "1" => true,
                    "0" => false,
                    _ => throw DataFormatException.At(path, li + 1, $"label '{labelNames[c]}' has value '{f[c + 1]}', expected 0 or 1"),
                };
            }
            ids.Add(f[0]);
            labels.Add(new MultiLabel(pos));
        }
        return new LabelTable(labelNames, ids, labels);
    }

    /// <summary>One name per non-empty line (labels.txt).</summary>
    public static string[] ReadNames(string path) =>
        ReadLines(path).Where(l => l.Length > 0).ToArray();

    /// <summary>All lines with any trailing CR removed (read from <c>path.gz</c> when only that exists); a missing file is a clear error.</summary>
    public static List<string> ReadLines(string path)
    {
        var result = new List<string>();
        foreach (var l in DataFile.ReadLines(path, "label file")) result.Add(l.TrimEnd('\r'));
        return result;
    }
}
