using System.Buffers.Binary;
using System.Text;
using Lah.Common;

namespace Lah.Retrieval;

/// <summary>
/// FAISS's binary index files (<c>faiss.write_index_binary</c> / <c>read_index_binary</c>) for a flat index, so codes
/// move between LAH and FAISS. Layout (little-endian, no padding, as FAISS's <c>index_write.cpp</c> writes it):
/// <code>
/// IndexBinaryFlat:   fourcc "IBxF" | header | xb: u64 byte count, then ntotal × code_size bytes
/// IndexBinaryIDMap:  fourcc "IBMp" (IDMap2: "IBM2") | header | nested index (an IBxF here) | id_map: u64 n, n × i64
/// header:            d i32 (bits) | code_size i32 (= d/8; 0 in FAISS 1.7's IDMap) | ntotal i64 | is_trained u8 | metric_type i32
/// </code>
/// A FAISS code is d/8 bytes, bit j in byte j/8 at position j%8 (LSB first); a <see cref="PackedCodes"/> code has
/// bit j in word j/64 at position j%64, so FAISS's bytes are the little-endian bytes of our words and a code means the
/// same bits (and the same Hamming distances) on both sides. Ids 0..n−1 are written as a bare IBxF (FAISS's labels are
/// positions); any other ids as an IBMp wrapping it, whose labels FAISS returns.
/// </summary>
public static class FaissBinaryIndexFile
{
    private const int MetricL2 = 1; // FAISS's default metric_type for binary indexes (Hamming is implied)

    /// <summary>Reads an IBxF file, or an IBMp/IBM2 over an IBxF (its id map becomes the ids); errors name the file and field.</summary>
    public static PackedCodes Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"FAISS index file not found: {path}", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var r = new Reader(fs, path);
        var (bits, codes) = ReadIndex(r, nested: false, out var ids);
        if (fs.Position != fs.Length)
            throw Bad(path, $"{fs.Length - fs.Position} trailing bytes after the index (not a single binary index?)");
        return PackedCodes.FromWords(codes, codes.Length / PackedCodes.WordsFor(bits), bits, ids);
    }

    /// <summary>
    /// Writes <paramref name="codes"/> as FAISS reads them (atomically, via a temporary file): an IBxF when the ids are
    /// 0..n−1, an IBMp (IndexBinaryIDMap) over it otherwise (or whenever <paramref name="forceIdMap"/>).
    /// </summary>
    public static void Write(string path, PackedCodes codes, bool forceIdMap = false)
    {
        ArgumentNullException.ThrowIfNull(codes);
        bool sequential = true;
        for (var i = 0; i < codes.Count && sequential; i++) sequential = codes.Ids[i] == i;
        AtomicFile.Write(path, fs =>
        {
            using var w = new BinaryWriter(fs, Encoding.ASCII, leaveOpen: true); // little-endian by definition
            if (!sequential || forceIdMap)
            {
                w.Write(Encoding.ASCII.GetBytes("IBMp"));
                WriteHeader(w, codes);
            }
            w.Write(Encoding.ASCII.GetBytes("IBxF"));
            WriteHeader(w, codes);
            int bytes = codes.Bits / 8;
            w.Write((ulong)codes.Count * (ulong)bytes);
            var code = new byte[bytes];
            for (var i = 0; i < codes.Count; i++)
            {
                var words = codes.Code(i);
                for (var j = 0; j < bytes; j++) code[j] = (byte)(words[j >> 3] >> (8 * (j & 7)));
                w.Write(code);
            }
            if (!sequential || forceIdMap)
            {
                w.Write((ulong)codes.Count);
                foreach (var id in codes.Ids) w.Write(id);
            }
        });
    }

    private static void WriteHeader(BinaryWriter w, PackedCodes codes)
    {
        w.Write(codes.Bits);
        w.Write(codes.Bits / 8);
        w.Write((long)codes.Count);
        w.Write((byte)1); // is_trained: a flat index needs no training
        w.Write(MetricL2);
    }

    private static (int Bits, ulong[] Words) ReadIndex(Reader r, bool nested, out long[]? ids)
    {
        ids = null;
        var fourcc = r.FourCC();
        var (bits, ntotal) = ReadHeader(r, fourcc);
        switch (fourcc)
        {
            case "IBxF":
                {
                    long bytes = r.I64("xb size");
                    if (bytes != ntotal * (bits / 8))
                        throw Bad(r.Path, $"xb size is {bytes} bytes, expected ntotal × code_size = {ntotal} × {bits / 8}");
                    return (bits, r.Codes(ntotal, bits));
                }
            case "IBMp" or "IBM2" when !nested:
                {
                    var (innerBits, words) = ReadIndex(r, nested: true, out _);
                    if (innerBits != bits) throw Bad(r.Path, $"nested index d is {innerBits}, the IDMap's is {bits}");
                    if (words.Length / PackedCodes.WordsFor(bits) != ntotal)
                        throw Bad(r.Path, $"nested index holds {words.Length / PackedCodes.WordsFor(bits)} codes, the IDMap's ntotal is {ntotal}");
                    long n = r.I64("id_map size");
                    if (n != ntotal) throw Bad(r.Path, $"id_map size is {n}, expected ntotal = {ntotal}");
                    ids = new long[n];
                    for (var i = 0; i < n; i++) ids[i] = r.I64("id_map");
                    return (bits, words);
                }
            default:
                throw Bad(r.Path, $"fourcc is '{fourcc}'{(nested ? " in the IDMap" : "")}; supported: IndexBinaryFlat ('IBxF') and IndexBinaryIDMap ('IBMp', 'IBM2') over it");
        }
    }

    private static (int Bits, long Count) ReadHeader(Reader r, string fourcc)
    {
        int d = r.I32("d");
        if (d <= 0 || d > PackedCodes.MaxBits || d % 8 != 0)
            throw Bad(r.Path, $"{fourcc} header: d is {d}, expected a positive multiple of 8 up to {PackedCodes.MaxBits}");
        int codeSize = r.I32("code_size");
        // FAISS 1.7 leaves an IDMap's code_size at 0; the flat index's must be d/8.
        if (codeSize != d / 8 && !(codeSize == 0 && fourcc != "IBxF"))
            throw Bad(r.Path, $"{fourcc} header: code_size is {codeSize}, expected d/8 = {d / 8}");
        long ntotal = r.I64("ntotal");
        if (ntotal < 0 || ntotal > int.MaxValue / PackedCodes.WordsFor(d))
            throw Bad(r.Path, $"{fourcc} header: ntotal is {ntotal}, expected 0..{int.MaxValue / PackedCodes.WordsFor(d)}");
        r.Byte("is_trained");
        r.I32("metric_type");
        return (d, ntotal);
    }

    private static InvalidDataException Bad(string path, string what) => new($"FAISS index file {path}: {what}");

    private sealed class Reader(Stream s, string path)
    {
        public string Path { get; } = path;
        private readonly byte[] _buf = new byte[8];

        private void Fill(int n, string field)
        {
            if (s.ReadAtLeast(_buf.AsSpan(0, n), n, throwOnEndOfStream: false) != n)
                throw Bad(Path, $"{field}: file ends at byte {s.Length} (truncated)");
        }

        public string FourCC()
        {
            Fill(4, "fourcc");
            return Encoding.ASCII.GetString(_buf, 0, 4);
        }

        public byte Byte(string field) { Fill(1, field); return _buf[0]; }
        public int I32(string field) { Fill(4, field); return BinaryPrimitives.ReadInt32LittleEndian(_buf); }
        public long I64(string field) { Fill(8, field); return BinaryPrimitives.ReadInt64LittleEndian(_buf); }

        /// <summary>ntotal codes of d/8 bytes each, repacked into zero-padded 64-bit words.</summary>
        public ulong[] Codes(long ntotal, int bits)
        {
            int bytes = bits / 8, w = PackedCodes.WordsFor(bits);
            var words = new ulong[ntotal * w];
            var code = new byte[bytes];
            for (long i = 0; i < ntotal; i++)
            {
                if (s.ReadAtLeast(code, bytes, throwOnEndOfStream: false) != bytes)
                    throw Bad(Path, $"xb: code {i} of {ntotal} is cut short (truncated)");
                for (var j = 0; j < bytes; j++) words[i * w + (j >> 3)] |= (ulong)code[j] << (8 * (j & 7));
            }
            return words;
        }
    }
}
