namespace Lah.Data;

/// <summary>
/// The LAH label files: `name,l1,…,lC` CSVs with 1 / 0 (difficult) / -1 (header optional, LF or CRLF), and the
/// HashNet / DeepHash-pytorch list files `relpath v1 … vC` with 0/1 values (COCO's train.txt, NUS-WIDE's lists).
/// A bad row throws a <see cref="DataFormatException"/> naming file and line; given a <c>problems</c> collection,
/// the readers record each bad row there instead, skip it and go on (a whole dataset checked before training).
/// </summary>
public static class LabelFiles
{
    /// <summary>
    /// Reads a LAH CSV. A first line starting with `name,` is the header and gives the label names; a file without
    /// one needs <paramref name="labelNames"/>. Given both, they must agree.
    /// </summary>
    public static LabelTable ReadCsv(string path, IReadOnlyList<string>? labelNames = null, bool dropFirstRowIfNoHeader = false,
        ICollection<DataProblem>? problems = null)
    {
        var lines = ReadLines(path);
        var start = 0;
        IReadOnlyList<string>? names = labelNames;
        if (lines.Count > 0 && lines[0].StartsWith("name,", StringComparison.Ordinal))
        {
            var header = lines[0].Split(',').Skip(1).Select(s => s.Trim()).ToArray();
            if (labelNames is not null && !header.SequenceEqual(labelNames))
            {
                Report(problems, path, 1, $"header labels [{string.Join(",", header)}] differ from the expected [{string.Join(",", labelNames)}]");
                return new LabelTable(labelNames, [], [], []);
            }
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
        var rows = new List<int>();
        for (var li = start; li < lines.Count; li++)
        {
            var line = lines[li];
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != names.Count + 1)
            {
                Report(problems, path, li + 1, $"{f.Length - 1} label values, expected {names.Count}");
                continue;
            }
            var pos = new bool[names.Count];
            var diff = new bool[names.Count];
            var bad = false;
            for (var c = 0; c < names.Count && !bad; c++)
            {
                switch (f[c + 1].Trim())
                {
                    case "1": pos[c] = true; break;
                    case "0": diff[c] = true; break;
                    case "-1": break;
                    default:
                        Report(problems, path, li + 1, $"label '{names[c]}' has value '{f[c + 1]}', expected 1, 0 or -1");
                        bad = true;
                        break;
                }
            }
            if (bad) continue;
            ids.Add(f[0].Trim());
            labels.Add(new MultiLabel(pos, diff));
            rows.Add(li + 1);
        }
        return new LabelTable(names, ids, labels, rows);
    }

    /// <summary>
    /// Reads a HashNet-style list file (COCO's `train2014/COCO_….jpg 0 1 0 …`, NUS-WIDE's `images/….jpg 0 1 …`),
    /// fields separated by spaces or tabs: names are the image paths as listed.
    /// </summary>
    public static LabelTable ReadSpaceList(string path, IReadOnlyList<string> labelNames, ICollection<DataProblem>? problems = null)
    {
        var lines = ReadLines(path);
        var ids = new List<string>();
        var labels = new List<MultiLabel>();
        var rows = new List<int>();
        for (var li = 0; li < lines.Count; li++)
        {
            var line = lines[li];
            if (line.Length == 0) continue;
            var f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (f.Length != labelNames.Count + 1)
            {
                Report(problems, path, li + 1, $"{f.Length - 1} label values, expected {labelNames.Count}");
                continue;
            }
            var pos = new bool[labelNames.Count];
            var bad = false;
            for (var c = 0; c < labelNames.Count && !bad; c++)
            {
                switch (f[c + 1])
                {
                    case "1": pos[c] = true; break;
                    case "0": break;
                    default:
                        Report(problems, path, li + 1, $"label '{labelNames[c]}' has value '{f[c + 1]}', expected 0 or 1");
                        bad = true;
                        break;
                }
            }
            if (bad) continue;
            ids.Add(f[0]);
            labels.Add(new MultiLabel(pos));
            rows.Add(li + 1);
        }
        return new LabelTable(labelNames, ids, labels, rows);
    }

    // Throws at the first problem unless the caller collects them.
    private static void Report(ICollection<DataProblem>? problems, string path, int line, string what)
    {
        if (problems is null) throw DataFormatException.At(path, line, what);
        problems.Add(new DataProblem(path, line, what));
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
