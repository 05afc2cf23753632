namespace Lah.Data;

/// <summary>The list formats of labelled images (<see cref="LabelLists"/>).</summary>
public enum LabelListFormat
{
    /// <summary>HashNet / DeepHash-pytorch: `path l1 … lC` with 0/1 values, names from a labels.txt (COCO's and NUS-WIDE's lists).</summary>
    HashNet,

    /// <summary>LAH CSV: `name,l1,…,lC` with 1 / 0 (difficult) / -1, header `name,…` optional.</summary>
    LahCsv,

    /// <summary>COCO-style instances JSON: <c>images</c>, <c>annotations</c>, <c>categories</c>.</summary>
    CocoJson,
}

/// <summary>
/// One entry point to the readers of labelled image lists, so `lah encode`, the embedded scenes and custom datasets
/// read each format with the same parser: <see cref="LabelFiles.ReadSpaceList"/>, <see cref="LabelFiles.ReadCsv"/>,
/// <see cref="Coco2014.ReadInstancesTable(string, IReadOnlyList{string}?, CocoLabelOrder, ICollection{DataProblem}?)"/>.
/// </summary>
public static class LabelLists
{
    /// <summary>The format a file name implies (a trailing `.gz` aside): `.json` COCO-style, `.csv` LAH CSV, otherwise HashNet.</summary>
    public static LabelListFormat FormatOf(string path)
    {
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".json" => LabelListFormat.CocoJson,
            ".csv" => LabelListFormat.LahCsv,
            _ => LabelListFormat.HashNet,
        };
    }

    /// <summary>
    /// Reads a list in <paramref name="format"/> (default: <see cref="FormatOf"/>). The columns are
    /// <paramref name="labelNames"/> where given (a CSV header must then agree; a JSON's categories are matched by
    /// name); without them a CSV needs its header and a JSON gives its categories sorted by name, while a HashNet list
    /// cannot be read. Bad rows throw, or are recorded in <paramref name="problems"/> and skipped.
    /// </summary>
    public static LabelTable Read(string path, IReadOnlyList<string>? labelNames, LabelListFormat? format = null,
        ICollection<DataProblem>? problems = null) => Read(path, labelNames, format, problems, out _);

    /// <inheritdoc cref="Read(string, IReadOnlyList{string}?, LabelListFormat?, ICollection{DataProblem}?)"/>
    /// <param name="unannotated">Images of a COCO-style JSON left out for having no annotation (0 for the other formats).</param>
    public static LabelTable Read(string path, IReadOnlyList<string>? labelNames, LabelListFormat? format,
        ICollection<DataProblem>? problems, out int unannotated)
    {
        unannotated = 0;
        switch (format ?? FormatOf(path))
        {
            case LabelListFormat.LahCsv:
                return LabelFiles.ReadCsv(path, labelNames, problems: problems);
            case LabelListFormat.CocoJson:
                return Coco2014.ReadInstancesTable(path, labelNames, CocoLabelOrder.Alphabetical, problems, out unannotated);
            default:
                if (labelNames is null)
                    throw new DataFormatException($"{path}: a HashNet-style list (`path l1 … lC`) needs the label names (a labels.txt)");
                return LabelFiles.ReadSpaceList(path, labelNames, problems);
        }
    }
}
