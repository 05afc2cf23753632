using System.Text.Json;

namespace Lah.Data;

/// <summary>MS-COCO 2014: `annotations/instances_{train,val}2014.json` (streamed) and the LAH list files.</summary>
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
        if (scan.Categories.Count == 0) throw new DataFormatException($"{jsonPath}: no \"categories\"");
        foreach (var dup in scan.Categories.GroupBy(c => c.Id).Where(g => g.Count() > 1))
            throw new DataFormatException($"{jsonPath}: \"categories\" lists id {dup.Key} {dup.Count()} times");
        if (cocoCategories) CheckCocoCategories(jsonPath, scan.Categories);
        var cats = order == CocoLabelOrder.Alphabetical
            ? scan.Categories.OrderBy(c => c.Name, StringComparer.Ordinal).ToList()
            : scan.Categories.OrderBy(c => c.Id).ToList();
        var column = cats.Select((c, i) => (c.Id, i)).ToDictionary(t => t.Id, t => t.i);
        var labels = new Dictionary<long, bool[]>();
        foreach (var (imageId, catId) in scan.Annotations)
        {
            if (!column.TryGetValue(catId, out var col))
                throw new DataFormatException($"{jsonPath}: an annotation of image {imageId} has category_id {catId}, not in \"categories\"");
            if (!labels.TryGetValue(imageId, out var row)) labels[imageId] = row = new bool[cats.Count];
            row[col] = true;
        }
        var known = scan.Images.Select(i => i.Id).ToHashSet();
        foreach (var id in labels.Keys)
            if (!known.Contains(id))
                throw new DataFormatException($"{jsonPath}: annotations refer to image_id {id}, not in \"images\"");
        var items = scan.Images
            .Where(im => labels.ContainsKey(im.Id))
            .Select(im => new DatasetItem(Path.GetFileNameWithoutExtension(im.FileName),
                new FileImageSource(Path.Combine(imagesDir, im.FileName)), new MultiLabel(labels[im.Id])));
        return new CocoInstances(
            new MultiLabelDataset(Path.GetFileNameWithoutExtension(jsonPath), cats.Select(c => c.Name).ToArray(), items),
            scan.Images.Select(i => i.FileName).ToArray());
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

    /// <summary>A LAH list file (`train2014/COCO_….jpg v1 … v80`), images relative to <paramref name="root"/>.</summary>
    public static MultiLabelDataset ReadList(string listPath, IReadOnlyList<string> labelNames, string root)
    {
        var table = LabelFiles.ReadSpaceList(listPath, labelNames);
        return new MultiLabelDataset("coco2014-" + DataFile.Stem(listPath), labelNames,
            table.Names.Select((rel, i) => new DatasetItem(Path.GetFileNameWithoutExtension(rel),
                new FileImageSource(Path.Combine(root, rel)), table.Labels[i])));
    }

    private sealed record Category(long Id, string Name);

    private sealed record ImageEntry(long Id, string FileName);

    private sealed class ScanResult
    {
        public List<Category> Categories { get; } = [];
        public List<ImageEntry> Images { get; } = [];
        public List<(long ImageId, long CategoryId)> Annotations { get; } = [];
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
                            }
                            break;
                        case JsonTokenType.EndObject:
                        case JsonTokenType.EndArray:
                            if (depth == 3 && sectionIsArray && reader.TokenType == JsonTokenType.EndObject)
                                Finish(path, result, section, id, imageId, categoryId, name, fileName);
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
        string? name, string? fileName)
    {
        switch (section)
        {
            case "images":
                r.Images.Add(new ImageEntry(id ?? throw Missing(path, section, "id"), fileName ?? throw Missing(path, section, "file_name")));
                break;
            case "annotations":
                r.Annotations.Add((imageId ?? throw Missing(path, section, "image_id"), categoryId ?? throw Missing(path, section, "category_id")));
                break;
            case "categories":
                r.Categories.Add(new Category(id ?? throw Missing(path, section, "id"), name ?? throw Missing(path, section, "name")));
                break;
        }
    }

    private static DataFormatException Missing(string path, string section, string field) =>
        new($"{path}: an entry of \"{section}\" has no \"{field}\"");
}

/// <summary>An instances file's annotated images (<see cref="Coco2014.ReadInstances"/>) and the file names of all its images.</summary>
public sealed record CocoInstances(MultiLabelDataset Annotated, IReadOnlyList<string> ImageFiles);
