using System.Text.Json;

namespace Lah.Data;

/// <summary>
/// MS-COCO 2014: `annotations/instances_{train,val}2014.json` (streamed) and the LAH list files; any COCO-style
/// instances JSON (a custom dataset's list) through <see cref="ReadInstancesTable(string, IReadOnlyList{string}?, CocoLabelOrder, ICollection{DataProblem}?)"/>.
/// </summary>
public static class Coco2014
{
    /// <summary>
    /// Reads an instances file with a forward-only reader over a fixed buffer, so the 450 MB train file is never
    /// held in memory. Images without annotations are skipped (as the official code does).
    /// Images are at <paramref name="imagesDir"/>/file_name.
    /// </summary>
    public static MultiLabelDataset ReadInstances(string jsonPath, string imagesDir, CocoLabelOrder order = CocoLabelOrder.Alphabetical) =>
        ReadInstancesFile(jsonPath, imagesDir, order).Annotated;

    /// <summary>
    /// <see cref="ReadInstances"/>, also returning the file name of every image the file lists (annotated or not), to
    /// check an image folder against it. With <paramref name="cocoCategories"/> the "categories" must be COCO's 80
    /// (<see cref="CocoCategories"/>: the same ids and names), so a file of another dataset or version is refused.
    /// </summary>
    public static CocoInstances ReadInstancesFile(string jsonPath, string imagesDir, CocoLabelOrder order = CocoLabelOrder.Alphabetical,
        bool cocoCategories = false)
    {
        var scan = Scan(jsonPath);
        if (cocoCategories) CheckCocoCategories(jsonPath, scan.Categories);
        var table = Table(jsonPath, scan, null, order, null, out _);
        var annotated = new MultiLabelDataset(Path.GetFileNameWithoutExtension(jsonPath), table.LabelNames,
            table.Names.Select((f, i) => new DatasetItem(Path.GetFileNameWithoutExtension(f),
                new FileImageSource(Path.Combine(imagesDir, f)), table.Labels[i])));
        return new CocoInstances(annotated, scan.Images.Select(i => i.FileName).ToArray());
    }

    private static void CheckCocoCategories(string jsonPath, List<Category> categories)
    {
        foreach (var c in categories)
            if (CocoCategories.ById(c.Id) is not { } known || known.Name != c.Name)
                throw new DataFormatException(
                    $"{jsonPath}: category id {c.Id} ('{c.Name}') is not one of COCO's 80 categories" +
                    (CocoCategories.ById(c.Id) is { } k ? $" (COCO's id {c.Id} is '{k.Name}')" : ""));
        var missing = CocoCategories.All.Where(k => categories.All(c => c.Id != k.Id)).ToList();
        if (missing.Count > 0)
            throw new DataFormatException(
                $"{jsonPath}: \"categories\" lacks {missing.Count} of COCO's 80 (first: id {missing[0].Id} '{missing[0].Name}')");
    }

    /// <summary>
    /// An instances-like JSON file (<c>images</c> with <c>id</c> and <c>file_name</c>, <c>annotations</c> with
    /// <c>image_id</c> and <c>category_id</c>, <c>categories</c> with <c>id</c> and <c>name</c>) as a label table:
    /// names are the <c>file_name</c>s, in the order of <c>images</c>, and each row's line is that of its entry. Images
    /// without annotations are left out (as COCO's readers do); <paramref name="unannotated"/> counts them. Given
    /// <paramref name="labelNames"/>, the columns are those names, matched to the categories by name; otherwise the
    /// categories in <paramref name="order"/>. Bad entries throw, or are recorded in <paramref name="problems"/>.
    /// </summary>
    public static LabelTable ReadInstancesTable(string jsonPath, IReadOnlyList<string>? labelNames = null,
        CocoLabelOrder order = CocoLabelOrder.Alphabetical, ICollection<DataProblem>? problems = null) =>
        ReadInstancesTable(jsonPath, labelNames, order, problems, out _);

    /// <inheritdoc cref="ReadInstancesTable(string, IReadOnlyList{string}?, CocoLabelOrder, ICollection{DataProblem}?)"/>
    public static LabelTable ReadInstancesTable(string jsonPath, IReadOnlyList<string>? labelNames, CocoLabelOrder order,
        ICollection<DataProblem>? problems, out int unannotated) =>
        Table(jsonPath, Scan(jsonPath), labelNames, order, problems, out unannotated);

    private static LabelTable Table(string jsonPath, ScanResult scan, IReadOnlyList<string>? labelNames, CocoLabelOrder order,
        ICollection<DataProblem>? problems, out int unannotated)
    {
        void Report(int line, string what)
        {
            if (problems is null) throw new DataFormatException(line > 0 ? $"{jsonPath}:{line}: {what}" : $"{jsonPath}: {what}");
            problems.Add(new DataProblem(jsonPath, line, what));
        }

        unannotated = 0;
        if (scan.Categories.Count == 0)
        {
            Report(0, "no \"categories\"");
            return new LabelTable(labelNames ?? [], [], [], []);
        }
        foreach (var dup in scan.Categories.GroupBy(c => c.Id).Where(g => g.Count() > 1))
            Report(dup.Skip(1).First().Line, $"\"categories\" lists id {dup.Key} {dup.Count()} times");
        IReadOnlyList<string> names;
        var column = new Dictionary<long, int>();
        if (labelNames is null)
        {
            var cats = order == CocoLabelOrder.Alphabetical
                ? scan.Categories.OrderBy(c => c.Name, StringComparer.Ordinal).ToList()
                : scan.Categories.OrderBy(c => c.Id).ToList();
            for (var i = 0; i < cats.Count; i++) column[cats[i].Id] = i;
            names = cats.Select(c => c.Name).ToArray();
        }
        else
        {
            names = labelNames;
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < labelNames.Count; i++) byName.TryAdd(labelNames[i], i);
            foreach (var c in scan.Categories)
            {
                if (byName.TryGetValue(c.Name, out var col)) column[c.Id] = col;
                else Report(c.Line, $"category '{c.Name}' (id {c.Id}) is not among the label names [{string.Join(", ", labelNames)}]");
            }
            var named = scan.Categories.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var n in labelNames.Where(n => !named.Contains(n)))
                Report(0, $"no category named '{n}', expected one for each label name");
        }
        var known = new Dictionary<long, ImageEntry>();
        foreach (var im in scan.Images)
            if (!known.TryAdd(im.Id, im))
                Report(im.Line, $"image id {im.Id} appears twice in \"images\" (first at line {known[im.Id].Line})");
        var categoryIds = scan.Categories.Select(c => c.Id).ToHashSet();
        var labels = new Dictionary<long, bool[]>();
        foreach (var a in scan.Annotations)
        {
            if (!column.TryGetValue(a.CategoryId, out var col))
            {
                if (!categoryIds.Contains(a.CategoryId)) // an unlisted category is reported once, above
                    Report(a.Line, $"an annotation of image {a.ImageId} has category_id {a.CategoryId}, not in \"categories\"");
                continue;
            }
            if (!known.ContainsKey(a.ImageId))
            {
                Report(a.Line, $"an annotation refers to image_id {a.ImageId}, not in \"images\"");
                continue;
            }
            if (!labels.TryGetValue(a.ImageId, out var row)) labels[a.ImageId] = row = new bool[names.Count];
            row[col] = true;
        }
        var files = new List<string>();
        var rows = new List<MultiLabel>();
        var lines = new List<int>();
        foreach (var im in scan.Images)
        {
            if (!labels.TryGetValue(im.Id, out var row))
            {
                unannotated++;
                continue;
            }
            files.Add(im.FileName);
            rows.Add(new MultiLabel(row));
            lines.Add(im.Line);
        }
        return new LabelTable(names, files, rows, lines);
    }

    /// <summary>A LAH list file (`train2014/COCO_….jpg v1 … v80`), images relative to <paramref name="root"/>.</summary>
    public static MultiLabelDataset ReadList(string listPath, IReadOnlyList<string> labelNames, string root)
    {
        var table = LabelFiles.ReadSpaceList(listPath, labelNames);
        return new MultiLabelDataset("coco2014-" + DataFile.Stem(listPath), labelNames,
            table.Names.Select((rel, i) => new DatasetItem(Path.GetFileNameWithoutExtension(rel),
                new FileImageSource(Path.Combine(root, rel)), table.Labels[i])));
    }

    private sealed record Category(long Id, string Name, int Line);

    private sealed record ImageEntry(long Id, string FileName, int Line);

    private sealed record Annotation(long ImageId, long CategoryId, int Line);

    private sealed class ScanResult
    {
        public List<Category> Categories { get; } = [];
        public List<ImageEntry> Images { get; } = [];
        public List<Annotation> Annotations { get; } = [];
    }

    private static ScanResult Scan(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"COCO instances file not found: {path}", path);
        var result = new ScanResult();
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        var length = 0;
        var final = false;
        var state = new JsonReaderState();
        // Depth counts open containers; elements of the top-level arrays are objects at depth 3.
        var depth = 0;
        string? section = null;
        var sectionIsArray = false;
        string? prop = null;
        long? id = null, imageId = null, categoryId = null;
        string? name = null, fileName = null;
        long consumedTotal = 0;
        // Line numbers of the entries: newlines are counted once, up to each entry's opening brace.
        var line = 1;
        var counted = 0;
        var entryLine = 0;

        while (true)
        {
            if (!final)
            {
                if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // a token longer than the buffer
                var n = stream.Read(buffer, length, buffer.Length - length);
                if (n == 0) final = true;
                length += n;
            }
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject:
                        case JsonTokenType.StartArray:
                            depth++;
                            if (depth == 2) sectionIsArray = reader.TokenType == JsonTokenType.StartArray;
                            if (depth == 3 && sectionIsArray)
                            {
                                id = imageId = categoryId = null;
                                name = fileName = null;
                                var at = (int)reader.TokenStartIndex;
                                line += buffer.AsSpan(counted, at - counted).Count((byte)'\n');
                                counted = at;
                                entryLine = line;
                            }
                            break;
                        case JsonTokenType.EndObject:
                        case JsonTokenType.EndArray:
                            if (depth == 3 && sectionIsArray && reader.TokenType == JsonTokenType.EndObject)
                                Finish(path, result, section, id, imageId, categoryId, name, fileName, entryLine);
                            depth--;
                            break;
                        case JsonTokenType.PropertyName:
                            if (depth == 1) section = reader.GetString();
                            else if (depth == 3) prop = reader.GetString();
                            break;
                        case JsonTokenType.Number when depth == 3 && sectionIsArray:
                            var v = reader.TryGetInt64(out var l) ? l : (long)reader.GetDouble();
                            switch (prop)
                            {
                                case "id": id = v; break;
                                case "image_id": imageId = v; break;
                                case "category_id": categoryId = v; break;
                            }
                            break;
                        case JsonTokenType.String when depth == 3 && sectionIsArray:
                            switch (prop)
                            {
                                case "name": name = reader.GetString(); break;
                                case "file_name": fileName = reader.GetString(); break;
                            }
                            break;
                    }
                }
            }
            catch (JsonException e)
            {
                throw new DataFormatException(
                    $"{path}: malformed JSON near byte {consumedTotal + reader.BytesConsumed}: {e.Message}", e);
            }
            var consumed = (int)reader.BytesConsumed;
            consumedTotal += consumed;
            line += buffer.AsSpan(counted, consumed - counted).Count((byte)'\n');
            counted = 0;
            state = reader.CurrentState;
            Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
            length -= consumed;
            if (final)
            {
                if (depth != 0 || length != 0) throw new DataFormatException($"{path}: JSON ends early (truncated file?)");
                return result;
            }
        }
    }

    private static void Finish(string path, ScanResult r, string? section, long? id, long? imageId, long? categoryId,
        string? name, string? fileName, int line)
    {
        switch (section)
        {
            case "images":
                r.Images.Add(new ImageEntry(id ?? throw Missing(path, line, section, "id"),
                    fileName ?? throw Missing(path, line, section, "file_name"), line));
                break;
            case "annotations":
                r.Annotations.Add(new Annotation(imageId ?? throw Missing(path, line, section, "image_id"),
                    categoryId ?? throw Missing(path, line, section, "category_id"), line));
                break;
            case "categories":
                r.Categories.Add(new Category(id ?? throw Missing(path, line, section, "id"),
                    name ?? throw Missing(path, line, section, "name"), line));
                break;
        }
    }

    private static DataFormatException Missing(string path, int line, string section, string field) =>
        DataFormatException.At(path, line, $"an entry of \"{section}\" has no \"{field}\"");
}

/// <summary>An instances file's annotated images (<see cref="Coco2014.ReadInstances"/>) and the file names of all its images.</summary>
public sealed record CocoInstances(MultiLabelDataset Annotated, IReadOnlyList<string> ImageFiles);
