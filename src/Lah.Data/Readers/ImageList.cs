namespace Lah.Data;

/// <summary>
/// The images to encode, in a fixed order: a folder (every file below it, hidden ones aside, sorted by relative path
/// so the order does not depend on the file system), or a list file. A list file is a LAH CSV (<c>name,l1,…</c> with
/// a header), a HashNet / COCO-style list (<c>relpath 0 1 …</c>, label names from <c>labels.txt</c> beside it), a
/// COCO-style instances JSON (<c>.json</c>; columns in the order of a <c>labels.txt</c> beside it, else its categories
/// by name), or one path per line; all are read by <see cref="LabelLists"/>. A <c>labels</c> file given instead of
/// the one beside the list names the columns (a custom dataset's labels.txt). Relative paths are taken from
/// <c>root</c> (default: the list file's folder), after <c>stripPrefix</c> is taken off the paths that start with it,
/// as <see cref="CustomDataset"/> does. <see cref="Labels"/> is null when the list has none.
/// </summary>
public sealed record ImageList(IReadOnlyList<string> Paths, IReadOnlyList<string> LabelNames, float[]? Labels)
{
    public int Count => Paths.Count;

    public static ImageList Read(string path, string? root = null, string? labels = null, string? stripPrefix = null)
    {
        if (Directory.Exists(path)) return FromFolder(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"--images: {path} is neither a folder nor a list file", path);
        if (root is not null && !Directory.Exists(root)) throw new DirectoryNotFoundException($"--root: the folder {root} does not exist");
        if (labels is not null && !DataFile.Exists(labels)) throw new FileNotFoundException($"--labels: the label names file {labels} does not exist", labels);
        var dir = root ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string name) => Path.GetFullPath(Path.Combine(dir,
            stripPrefix is { Length: > 0 } && name.StartsWith(stripPrefix, StringComparison.Ordinal) ? name[stripPrefix.Length..] : name));
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "labels.txt");
        var names = labels ?? (File.Exists(beside) ? beside : null);
        switch (LabelLists.FormatOf(path))
        {
            case LabelListFormat.LahCsv:
                return FromTable(LabelLists.Read(path, labels is null ? null : LabelFiles.ReadNames(labels), LabelListFormat.LahCsv), Resolve);
            case LabelListFormat.CocoJson:
                return FromTable(LabelLists.Read(path, names is null ? null : LabelFiles.ReadNames(names), LabelListFormat.CocoJson), Resolve);
        }
        var lines = LabelFiles.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names is not null && (labels is not null || lines.Count > 0 && lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 1))
            return FromTable(LabelLists.Read(path, LabelFiles.ReadNames(names), LabelListFormat.HashNet), Resolve);
        return new ImageList(lines.Select(Resolve).ToArray(), [], null);
    }

    private static ImageList FromFolder(string dir)
    {
        var root = Path.GetFullPath(dir);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(r => !r.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .Select(r => Path.Combine(root, r))
            .ToArray();
        return new ImageList(files, [], null);
    }

    private static ImageList FromTable(LabelTable table, Func<string, string> resolve)
    {
        int r = table.LabelNames.Count;
        var labels = new float[(long)table.Count * r];
        for (var i = 0; i < table.Count; i++) table.Labels[i].ToMultiHot().CopyTo(labels, (long)i * r);
        return new ImageList(table.Names.Select(resolve).ToArray(), table.LabelNames, labels);
    }
}
