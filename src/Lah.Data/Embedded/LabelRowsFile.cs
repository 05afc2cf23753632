namespace Lah.Data;

/// <summary>Label rows of a real label file, to drive synthetic scenes with real label statistics.</summary>
public static class LabelRowsFile
{
    /// <summary>
    /// A LAH CSV (`.csv`, header optional) or COCO list (`.txt`); label names come from the header or from a
    /// `labels.txt` beside the file.
    /// </summary>
    public static LabelTable Read(string path)
    {
        var labelsTxt = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "labels.txt");
        var names = DataFile.Exists(labelsTxt) ? LabelFiles.ReadNames(labelsTxt) : null;
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase)) return LabelFiles.ReadCsv(path, names);
        return LabelFiles.ReadSpaceList(path, names ?? throw new DataFormatException($"{path}: a list file needs {labelsTxt} for its label names"));
    }
}
