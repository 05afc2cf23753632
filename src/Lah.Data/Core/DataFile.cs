using System.IO.Compression;
using System.Text;

namespace Lah.Data;

/// <summary>
/// Opens data files that may be stored gzip-compressed: a path is read as is when it exists, else from
/// <c>path.gz</c> (the repository keeps files over 2 MB compressed, e.g. COCO's train.txt). Content starting with
/// the gzip magic is decompressed whatever the name.
/// </summary>
public static class DataFile
{
    /// <summary>The file that holds <paramref name="path"/>'s content: itself, else <c>path.gz</c>; null if neither exists.</summary>
    public static string? Locate(string path) =>
        File.Exists(path) ? path : File.Exists(path + ".gz") ? path + ".gz" : null;

    public static bool Exists(string path) => Locate(path) is not null;

    /// <summary>A read stream over the (decompressed) content; a missing file is an error naming <paramref name="what"/> and the path.</summary>
    public static Stream OpenRead(string path, string what = "data file")
    {
        var actual = Locate(path) ?? throw new FileNotFoundException($"{what} not found: {path} (nor {Path.GetFileName(path)}.gz)", path);
        var file = File.OpenRead(actual);
        Span<byte> magic = stackalloc byte[2];
        var gz = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        return gz ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>The lines of the (decompressed) content, UTF-8.</summary>
    public static IEnumerable<string> ReadLines(string path, string what = "data file")
    {
        var stream = OpenRead(path, what); // opened now, so a missing file fails here rather than at the first MoveNext
        return Lines(stream);
    }

    private static IEnumerable<string> Lines(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line) yield return line;
    }

    public static byte[] ReadAllBytes(string path, string what = "data file")
    {
        using var s = OpenRead(path, what);
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>The file name without <c>.gz</c> and without its extension: <c>train.txt.gz</c> → <c>train</c>.</summary>
    public static string Stem(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        return Path.GetFileNameWithoutExtension(name);
    }
}
