using System.Runtime.InteropServices;

namespace Lah.Retrieval;

/// <summary>
/// The index file: little-endian, 8-byte aligned.
/// <code>
/// 0   magic "LAHCODES" (8 bytes)   8  version u32 (=1)   12 K bits u32   16 count i64   24 reserved u64 (0)
/// 32  ids: count × i64
///     codes: count × ⌈K/64⌉ × u64
///     checksum u64 over every preceding byte (see <see cref="IndexChecksum"/>)
/// </code>
/// Written to a temporary file in the same folder, flushed, then renamed over the target, so a reader never sees a
/// half-written index. <see cref="MappedIndex"/> maps a file read-only, validates it and searches the mapped pages
/// in place; <see cref="Read"/> copies the ids and codes out of the mapping into a <see cref="PackedCodes"/>.
/// </summary>
public static unsafe class IndexFile
{
    public const uint Version = 1;
    public const int HeaderBytes = 32;
    private static ReadOnlySpan<byte> Magic => "LAHCODES"u8;

    public static long FileLength(int bits, long count) =>
        HeaderBytes + count * 8 + count * PackedCodes.WordsFor(bits) * 8L + 8;

    public static void Write(string path, PackedCodes codes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var header = new byte[HeaderBytes];
                Magic.CopyTo(header);
                BitConverter.TryWriteBytes(header.AsSpan(8), Version);
                BitConverter.TryWriteBytes(header.AsSpan(12), (uint)codes.Bits);
                BitConverter.TryWriteBytes(header.AsSpan(16), (long)codes.Count);
                var sum = new IndexChecksum();
                sum.Add(MemoryMarshal.Cast<byte, ulong>(header));
                sum.Add(MemoryMarshal.Cast<long, ulong>(codes.Ids.AsSpan()));
                sum.Add(codes.Words);
                fs.Write(header);
                fs.Write(MemoryMarshal.AsBytes(codes.Ids.AsSpan()));
                fs.Write(MemoryMarshal.AsBytes(codes.Words.AsSpan()));
                fs.Write(BitConverter.GetBytes(sum.Value));
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Maps <paramref name="path"/>, validates it and copies its ids and codes out; throws
    /// <see cref="InvalidDataException"/> naming the file and the faulty field. To search a file without reading it
    /// into memory, use <see cref="MappedIndex.Open"/>.</summary>
    public static PackedCodes Read(string path, bool verifyChecksum = true)
    {
        using var mapped = MappedIndex.Open(path, verifyChecksum);
        return mapped.ToPackedCodes();
    }

    /// <summary>Checks a mapped file: header, length, checksum and the unused high bits of every code.</summary>
    internal static (int Bits, int Count) Validate(string path, byte* p, long length, bool verifyChecksum)
    {
        if (length < HeaderBytes + 8)
            throw Bad(path, $"file is {length} bytes, shorter than the {HeaderBytes}-byte header and checksum (truncated?)");
        var header = new ReadOnlySpan<byte>(p, HeaderBytes);
        if (!header[..8].SequenceEqual(Magic))
            throw Bad(path, $"magic is '{System.Text.Encoding.ASCII.GetString(header[..8])}', expected 'LAHCODES' (not an index file)");
        uint version = BitConverter.ToUInt32(header[8..]);
        if (version != Version) throw Bad(path, $"version is {version}, this reader supports {Version}");
        uint bits = BitConverter.ToUInt32(header[12..]);
        if (bits == 0 || bits > PackedCodes.MaxBits || bits % 8 != 0)
            throw Bad(path, $"K is {bits}, expected a positive multiple of 8 up to {PackedCodes.MaxBits}");
        long count = BitConverter.ToInt64(header[16..]);
        if (count < 0 || count > int.MaxValue / PackedCodes.WordsFor((int)bits))
            throw Bad(path, $"count is {count}, expected 0..{int.MaxValue / PackedCodes.WordsFor((int)bits)}");
        long expected = FileLength((int)bits, count);
        if (length != expected)
            throw Bad(path, $"file is {length} bytes, expected {expected} for {count} codes of {bits} bits ({(length < expected ? "truncated" : "trailing bytes")})");
        if (verifyChecksum)
        {
            var sum = new IndexChecksum();
            sum.Add(new ReadOnlySpan<ulong>(p, (int)((length - 8) / 8)));
            ulong stored = *(ulong*)(p + length - 8);
            if (sum.Value != stored) throw Bad(path, $"checksum is {stored:x16}, the content gives {sum.Value:x16} (corrupt file)");
        }
        int n = (int)count, w = PackedCodes.WordsFor((int)bits);
        if (PackedCodes.FirstWithPaddingBits(new ReadOnlySpan<ulong>(p + HeaderBytes + 8L * n, n * w), n, (int)bits) is int bad)
            throw Bad(path, $"codes: code {bad} has bits set above bit {bits - 1}");
        return ((int)bits, n);
    }

    private static InvalidDataException Bad(string path, string what) => new($"index file {path}: {what}");
}
