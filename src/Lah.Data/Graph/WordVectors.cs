using System.Globalization;
using System.Text;

namespace Lah.Data;

/// <summary>
/// Reads word-vector files, keeping only the words asked for (GloVe and GoogleNews files are gigabytes).
/// </summary>
public static class WordVectors
{
    public static Dictionary<string, float[]> Load(string path, WordVectorFormat format, IEnumerable<string> wanted)
    {
        if (!DataFile.Exists(path)) throw new FileNotFoundException($"word-vector file not found: {path}", path);
        var want = wanted.ToHashSet(StringComparer.Ordinal);
        return format == WordVectorFormat.Word2VecBinary ? LoadBinary(path, want) : LoadText(path, want, format);
    }

    /// <summary>Guesses the format from the extension (a trailing `.gz` aside): `.bin` binary, `.vec` fastText, otherwise GloVe text.</summary>
    public static WordVectorFormat FormatOf(string path) =>
        Path.GetExtension(path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path).ToLowerInvariant() switch
        {
            ".bin" => WordVectorFormat.Word2VecBinary,
            ".vec" => WordVectorFormat.FastTextVec,
            _ => WordVectorFormat.GloveText,
        };

    private static Dictionary<string, float[]> LoadText(string path, HashSet<string> want, WordVectorFormat format)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var dim = -1;
        var lineNo = 0;
        foreach (var raw in DataFile.ReadLines(path, "word-vector file"))
        {
            lineNo++;
            var line = raw.TrimEnd('\r', ' ');
            if (line.Length == 0) continue;
            if (lineNo == 1 && format == WordVectorFormat.GloveText && IsHeader(line)) continue; // a .vec under another name
            if (lineNo == 1 && format == WordVectorFormat.FastTextVec)
            {
                var h = line.Split(' ');
                if (h.Length != 2 || !int.TryParse(h[1], out dim) || dim <= 0)
                    throw DataFormatException.At(path, 1, $"expected the fastText header `count dim`, got '{Trim(line)}'");
                continue;
            }
            var sp = line.IndexOf(' ');
            if (sp <= 0) throw DataFormatException.At(path, lineNo, "expected `word v1 … vD`");
            var word = line[..sp];
            var fields = line.AsSpan(sp + 1);
            if (dim < 0) dim = CountFields(fields);
            if (!want.Contains(word)) continue;
            var v = new float[dim];
            var k = 0;
            foreach (var r in fields.Split(' '))
            {
                var f = fields[r];
                if (f.Length == 0) continue;
                if (k == dim || !float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out v[k]))
                    throw DataFormatException.At(path, lineNo, k == dim ? $"more than {dim} values for '{word}'" : $"'{f}' is not a number");
                k++;
            }
            if (k != dim) throw DataFormatException.At(path, lineNo, $"{k} values for '{word}', expected {dim}");
            result[word] = v;
        }
        return result;
    }

    private static bool IsHeader(string line)
    {
        var h = line.Split(' ');
        return h.Length == 2 && long.TryParse(h[0], out _) && int.TryParse(h[1], out _);
    }

    private static int CountFields(ReadOnlySpan<char> s)
    {
        var n = 0;
        foreach (var r in s.Split(' ')) if (s[r].Length > 0) n++;
        return n;
    }

    private static Dictionary<string, float[]> LoadBinary(string path, HashSet<string> want)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using var s = new BufferedStream(DataFile.OpenRead(path, "word-vector file"), 1 << 20);
        var header = ReadToken(s, '\n') ?? throw new DataFormatException($"{path}: empty file");
        var h = header.Trim().Split(' ');
        if (h.Length != 2 || !long.TryParse(h[0], out var count) || !int.TryParse(h[1], out var dim) || dim <= 0)
            throw new DataFormatException($"{path}: expected the word2vec header `count dim`, got '{Trim(header)}'");
        var bytes = new byte[dim * 4];
        for (long i = 0; i < count; i++)
        {
            var word = ReadToken(s, ' ') ?? throw new DataFormatException($"{path}: ends after {i} of {count} words");
            if (s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
                throw new DataFormatException($"{path}: vector of word {i} ('{word}') is cut short");
            if (!want.Contains(word)) continue;
            var v = new float[dim];
            for (var k = 0; k < dim; k++) v[k] = BitConverter.ToSingle(bytes, k * 4); // little-endian on every target
            result[word] = v;
        }
        return result;
    }

    // A word: bytes up to the separator, skipping the newline some writers put after each vector.
    private static string? ReadToken(Stream s, char sep)
    {
        var buf = new List<byte>(32);
        while (true)
        {
            var b = s.ReadByte();
            if (b < 0) return buf.Count == 0 ? null : Encoding.UTF8.GetString(buf.ToArray());
            if (b == sep) return Encoding.UTF8.GetString(buf.ToArray());
            if (b == '\n' && buf.Count == 0) continue;
            buf.Add((byte)b);
        }
    }

    private static string Trim(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
