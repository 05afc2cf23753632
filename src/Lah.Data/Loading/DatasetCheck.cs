namespace Lah.Data;

/// <summary>One unreadable image found by <see cref="DatasetCheck"/>.</summary>
public sealed record ImageProblem(int Index, string Id, string Path, string Reason);

/// <summary>
/// Finds missing and corrupt images before training starts, rather than hours in when the loader reaches them.
/// Each JPEG file's header is read (existence, size, JPEG magic, a frame header TurboJPEG accepts); an
/// <see cref="ImageFileSource"/> (any format, e.g. a custom dataset's) may also be PNG, BMP, GIF or WebP, told by its
/// first bytes; images rendered in memory are not checked. With <c>decode: true</c> every file is decoded in full,
/// which also catches truncated data but costs as much as an epoch of decoding.
/// </summary>
public static class DatasetCheck
{
    // Enough for the frame header of nearly every file (EXIF segments are at most 64 KB); longer headers are retried whole.
    private const int PrefixBytes = 256 * 1024;
    private const int Listed = 20;

    /// <summary>
    /// Throws one <see cref="DataFormatException"/> listing every bad image among <paramref name="indices"/> (one line
    /// when there is one).
    /// </summary>
    public static void Validate(IMultiLabelDataset dataset, IEnumerable<int> indices, bool decode = false)
    {
        var problems = FindProblems(dataset, indices, decode);
        if (problems.Count == 0) return;
        if (problems.Count == 1)
            throw new DataFormatException(
                $"dataset '{dataset.Name}': 1 unreadable image found before training: {problems[0].Path}: {problems[0].Reason}");
        var lines = problems.Take(Listed).Select(p => $"  {p.Path}: {p.Reason}");
        var more = problems.Count > Listed ? $"\n  … and {problems.Count - Listed} more" : "";
        throw new DataFormatException(
            $"dataset '{dataset.Name}': {problems.Count} unreadable image(s) found before training:\n{string.Join("\n", lines)}{more}");
    }

    /// <summary>The bad images among <paramref name="indices"/> (each index once), in index order.</summary>
    public static IReadOnlyList<ImageProblem> FindProblems(IMultiLabelDataset dataset, IEnumerable<int> indices, bool decode = false)
    {
        var items = indices.Distinct().Order().ToArray();
        foreach (var i in items)
            if (i < 0 || i >= dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} outside dataset '{dataset.Name}' of {dataset.Count} items");
        var found = new ImageProblem?[items.Length];
        Parallel.For(0, items.Length, k =>
        {
            var item = dataset[items[k]];
            var (path, anyFormat) = item.Image switch
            {
                FileImageSource f => (f.Path, false),
                ImageFileSource f => (f.Path, true),
                _ => (null, false),
            };
            if (path is not null && Check(path, decode, anyFormat) is { } reason)
                found[k] = new ImageProblem(items[k], item.Id, path, reason);
        });
        return found.Where(p => p is not null).Select(p => p!).ToArray();
    }

    /// <summary>
    /// Why <paramref name="path"/> is not a readable JPEG (with <paramref name="anyFormat"/>: not a readable image of a
    /// format <see cref="ImageFile"/> decodes), or null when it is.
    /// </summary>
    public static string? Check(string path, bool decode = false, bool anyFormat = false)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            var length = stream.Length; // the target's length, also through a symbolic link
            if (length == 0) return "empty file";
            var head = new byte[decode ? length : Math.Min(length, PrefixBytes)];
            stream.ReadExactly(head);
            var format = ImageFile.Sniff(head);
            if (anyFormat && format is not (ImageFileFormat.Jpeg or ImageFileFormat.Unknown))
            {
                // ImageSharp has no cheap header check here; only a full decode tells a good file from a bad one.
                if (decode) ImageFile.Decode(head, path);
                return null;
            }
            if (format != ImageFileFormat.Jpeg)
                return anyFormat
                    ? $"not an image (not JPEG, PNG, BMP, GIF or WebP; starts with {Convert.ToHexString(head, 0, Math.Min(4, head.Length))})"
                    : $"not a JPEG (starts with {Convert.ToHexString(head, 0, Math.Min(4, head.Length))})";
            if (decode)
            {
                JpegDecoder.Decode(head, path);
                return null;
            }
            try
            {
                JpegDecoder.ReadInfo(head, path);
            }
            catch (DataFormatException) when (head.Length < length)
            {
                var all = new byte[length];
                stream.Position = 0;
                stream.ReadExactly(all);
                JpegDecoder.ReadInfo(all, path);
            }
            return null;
        }
        catch (FileNotFoundException)
        {
            return "missing";
        }
        catch (DirectoryNotFoundException)
        {
            return "missing (folder not found)";
        }
        catch (DataFormatException e)
        {
            // The decoder's message starts with the path; keep only what went wrong.
            return e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot read ({e.Message})";
        }
    }
}
