using System.Runtime.InteropServices;
using Lah.Common;

namespace Lah.Retrieval;

/// <summary>
/// The index file: little-endian, 8-byte aligned.
/// <code>
/// 0   magic "LAHCODES" (8 bytes)   8  version u32 (1 or 2)   12 K bits u32   16 count i64
/// 24  version 1: reserved u64 (0); version 2: label count L u32, reserved u32 (0)
/// 32  ids: count × i64
///     codes: count × ⌈K/64⌉ × u64
///     version 2 with L &gt; 0: labels: count × ⌈L/64⌉ × u64 (bit j of a row set: the item has label j)
///                          names: byte length N u64, N bytes UTF-8 (the L names joined by '\n', or none), zero padding to 8
///     checksum u64 over every preceding byte (see <see cref="IndexChecksum"/>)
/// </code>
/// A file without labels is written as version 1, byte for byte what readers of version 1 expect.
/// Written to a temporary file in the same folder, flushed, then renamed over the target, so a reader never sees a
/// half-written index. <see cref="MappedIndex"/> maps a file read-only, validates it and searches the mapped pages
/// in place; <see cref="Read"/> copies the ids and codes out of the mapping into a <see cref="PackedCodes"/>.
/// </summary>
public static unsafe class IndexFile
{
    /// <summary>The newest version this reader supports (it reads version 1 too).</summary>
    public const uint Version = 2;
    public const int HeaderBytes = 32;
    private static ReadOnlySpan<byte> Magic => "LAHCODES"u8;

    public static long FileLength(int bits, long count) =>
        HeaderBytes + count * 8 + count * PackedCodes.WordsFor(bits) * 8L + 8;

    /// <summary>The length of a version-2 file with <paramref name="labels"/> label columns and a name block of
    /// <paramref name="nameBytes"/> bytes.</summary>
    public static long FileLength(int bits, long count, int labels, long nameBytes) =>
        labels == 0 ? FileLength(bits, count) : FileLength(bits, count) + count * ((labels + 63) >> 6) * 8L + 8 + Pad8(nameBytes);

    private static long Pad8(long n) => (n + 7) & ~7L;

    public static void Write(string path, PackedCodes codes) => Write(path, codes, null);

    /// <summary>Writes <paramref name="codes"/> with each item's labels (rows in the order of the codes); without
    /// labels the file is version 1.</summary>
    public static void Write(string path, PackedCodes codes, IndexLabels? labels)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (labels is not null && labels.Rows.Rows != codes.Count)
            throw new ArgumentException($"labels: {labels.Rows.Rows} rows for {codes.Count} codes", nameof(labels));
        if (labels is not null && labels.Names.Count != 0 && labels.Names.Count != labels.Rows.Labels)
            throw new ArgumentException($"labels: {labels.Names.Count} names for {labels.Rows.Labels} labels", nameof(labels));
        if (labels is not null && labels.Names.Any(n => n.Contains('\n')))
            throw new ArgumentException("labels: a label name contains a line break", nameof(labels));
        var names = labels is null || labels.Names.Count == 0 ? [] : System.Text.Encoding.UTF8.GetBytes(string.Join('\n', labels.Names));
        var tail = labels is null ? [] : new byte[Pad8(names.Length) + 8];
        if (labels is not null)
        {
            BitConverter.TryWriteBytes(tail, (long)names.Length);
            names.CopyTo(tail, 8);
        }
        AtomicFile.Write(path, fs =>
        {
            var header = new byte[HeaderBytes];
            Magic.CopyTo(header);
            BitConverter.TryWriteBytes(header.AsSpan(8), labels is null ? 1u : 2u);
            BitConverter.TryWriteBytes(header.AsSpan(12), (uint)codes.Bits);
            BitConverter.TryWriteBytes(header.AsSpan(16), (long)codes.Count);
            if (labels is not null) BitConverter.TryWriteBytes(header.AsSpan(24), (uint)labels.Rows.Labels);
            var sum = new IndexChecksum();
            sum.Add(MemoryMarshal.Cast<byte, ulong>(header));
            sum.Add(MemoryMarshal.Cast<long, ulong>(codes.Ids.AsSpan()));
            sum.Add(codes.Words);
            fs.Write(header);
            fs.Write(MemoryMarshal.AsBytes(codes.Ids.AsSpan()));
            fs.Write(MemoryMarshal.AsBytes(codes.Words.AsSpan()));
            if (labels is not null)
            {
                var rows = labels.Rows.Bits;
                sum.Add(rows);
                sum.Add(MemoryMarshal.Cast<byte, ulong>(tail));
                fs.Write(MemoryMarshal.AsBytes(rows.AsSpan()));
                fs.Write(tail);
            }
            fs.Write(BitConverter.GetBytes(sum.Value));
        });
    }

    /// <summary>Maps <paramref name="path"/>, validates it and copies its ids and codes out; throws
    /// <see cref="InvalidDataException"/> naming the file and the faulty field. To search a file without reading it
    /// into memory, use <see cref="MappedIndex.Open"/>.</summary>
    public static PackedCodes Read(string path, bool verifyChecksum = true)
    {
        using var mapped = MappedIndex.Open(path, verifyChecksum);
        return mapped.ToPackedCodes();
    }

    /// <summary>The labels stored with an index file's codes, or null for a file without them (version 1, FAISS).</summary>
    public static IndexLabels? ReadLabels(string path, bool verifyChecksum = true)
    {
        using var mapped = MappedIndex.Open(path, verifyChecksum);
        return mapped.Labels;
    }

    /// <summary>Checks a mapped file: header, length, checksum and the unused high bits of every code (and label row).</summary>
    internal static (int Bits, int Count, int Labels) Validate(string path, byte* p, long length, bool verifyChecksum)
    {
        if (length < HeaderBytes + 8)
            throw Bad(path, $"file is {length} bytes, shorter than the {HeaderBytes}-byte header and checksum (truncated?)");
        var header = new ReadOnlySpan<byte>(p, HeaderBytes);
        if (!header[..8].SequenceEqual(Magic))
            throw Bad(path, $"magic is '{System.Text.Encoding.ASCII.GetString(header[..8])}', expected 'LAHCODES' (not an index file)");
        uint version = BitConverter.ToUInt32(header[8..]);
        if (version is not (1 or 2)) throw Bad(path, $"version is {version}, this reader supports 1 and 2");
        uint bits = BitConverter.ToUInt32(header[12..]);
        if (bits == 0 || bits > PackedCodes.MaxBits || bits % 8 != 0)
            throw Bad(path, $"K is {bits}, expected a positive multiple of 8 up to {PackedCodes.MaxBits}");
        long count = BitConverter.ToInt64(header[16..]);
        if (count < 0 || count > int.MaxValue / PackedCodes.WordsFor((int)bits))
            throw Bad(path, $"count is {count}, expected 0..{int.MaxValue / PackedCodes.WordsFor((int)bits)}");
        uint labels = version == 2 ? BitConverter.ToUInt32(header[24..]) : 0;
        if (labels > 1 << 20) throw Bad(path, $"label count is {labels}, expected at most {1 << 20}");
        long nameBytes = 0;
        if (labels > 0)
        {
            long at = FileLength((int)bits, count) - 8 + count * ((labels + 63) >> 6) * 8L;
            if (at + 16 > length) throw Bad(path, $"file is {length} bytes, too short for {count} label rows of {labels} labels (truncated?)");
            nameBytes = *(long*)(p + at);
            if (nameBytes < 0 || nameBytes > length) throw Bad(path, $"label names: byte length {nameBytes} is out of range");
        }
        long expected = FileLength((int)bits, count, (int)labels, nameBytes);
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
        if (labels > 0)
        {
            int lw = (int)((labels + 63) >> 6);
            if (PackedCodes.FirstWithPaddingBits(new ReadOnlySpan<ulong>(p + HeaderBytes + 8L * n + 8L * n * w, n * lw), n, (int)labels) is int badRow)
                throw Bad(path, $"labels: row {badRow} has bits set above label {labels - 1}");
        }
        return ((int)bits, n, (int)labels);
    }

    private static InvalidDataException Bad(string path, string what) => new($"index file {path}: {what}");
}
