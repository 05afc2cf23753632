namespace Lah.Data;

/// <summary>Label rows of a real label file, to drive synthetic scenes with real label statistics.</summary>
public static class LabelRowsFile
{
    /// <summary>
    /// A LAH CSV (`.csv`, header optional), COCO-style JSON or HashNet list (`.txt`); label names come from a
    /// `labels.txt` beside the file, else from the CSV header or the JSON's categories.
    /// </summary>
    public static LabelTable Read(string path)
    {
        var labelsTxt = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "labels.txt");
        var names = DataFile.Exists(labelsTxt) ? LabelFiles.ReadNames(labelsTxt) : null;
        if (names is null && LabelLists.FormatOf(path) == LabelListFormat.HashNet)
            throw new DataFormatException($"{path}: a list file needs {labelsTxt} for its label names");
        return LabelLists.Read(path, names);
    }
}
