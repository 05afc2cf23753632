using System.Buffers;
using System.IO.MemoryMappedFiles;
using Lah.Retrieval.Kernels;

namespace Lah.Retrieval;

/// <summary>
/// An index file searched where it lies: mapped read-only, validated once (header, length, checksum, unused bits), and
/// scanned by brute force straight from the mapped pages, so a large index is neither read up front nor held twice
/// (the OS pages it in and may share it between processes). Results are those of a <see cref="FlatIndex"/> over the
/// same codes. Dispose to unmap, never while a search on it is running.
/// </summary>
public sealed unsafe class MappedIndex : IHammingIndex, IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly FlatIndex _flat;
    private int _disposed;

    private MappedIndex(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* p, int bits, int count,
        int labels, HammingKernel? kernel)
    {
        Path = path;
        LabelCount = labels;
        _map = map;
        _view = view;
        _base = p;
        var ids = new PointerMemory<long>((long*)(p + IndexFile.HeaderBytes), count);
        var words = new PointerMemory<ulong>((ulong*)(p + IndexFile.HeaderBytes + 8L * count), count * PackedCodes.WordsFor(bits));
        _flat = new FlatIndex(words.Memory, ids.Memory, bits, count, kernel);
    }

    /// <summary>Maps and validates <paramref name="path"/>; errors name the file and the faulty field.</summary>
    public static MappedIndex Open(string path, bool verifyChecksum = true, HammingKernel? kernel = null)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"index file not found: {path}", path, e);
        }
        // The open stream's length is the file's, also through a symbolic link (FileInfo.Length is the link's own).
        long length = stream.Length;
        MemoryMappedFile map;
        try
        {
            if (length == 0) IndexFile.Validate(path, null, 0, verifyChecksum); // throws "shorter than the header"
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* basePtr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
            acquired = true;
            byte* p = basePtr + view.PointerOffset;
            var (bits, count, labels) = IndexFile.Validate(path, p, length, verifyChecksum);
            return new MappedIndex(path, map, view, p, bits, count, labels, kernel);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    public string Path { get; }
    public int Bits => _flat.Bits;
    public int Count => _flat.Count;
    public int WordsPerCode => PackedCodes.WordsFor(Bits);
    public HammingKernel Kernel => _flat.Kernel;

    /// <summary>The items' ids, on the mapped pages (valid until disposal).</summary>
    public ReadOnlySpan<long> Ids => new(Alive() + IndexFile.HeaderBytes, Count);

    /// <summary>All codes, row-major, on the mapped pages (valid until disposal).</summary>
    public ReadOnlySpan<ulong> Words => new(Alive() + IndexFile.HeaderBytes + 8L * Count, Count * WordsPerCode);

    public ReadOnlySpan<ulong> Code(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Words.Slice(index * WordsPerCode, WordsPerCode);
    }

    /// <summary>The k nearest codes, ties by id.</summary>
    public Neighbor[] Search(ReadOnlySpan<ulong> query, int k)
    {
        Alive();
        return _flat.Search(query, k);
    }

    /// <summary>The k nearest codes of every query, over up to <paramref name="threads"/> cores (≤ 0: all).</summary>
    public Neighbor[][] Search(PackedCodes queries, int k, int threads = 0)
    {
        Alive();
        return _flat.Search(queries, k, threads);
    }

    public Neighbor[] RadiusSearch(ReadOnlySpan<ulong> query, int radius)
    {
        Alive();
        return _flat.RadiusSearch(query, radius);
    }

    public Neighbor[][] RadiusSearch(PackedCodes queries, int radius, int threads = 0)
    {
        Alive();
        return _flat.RadiusSearch(queries, radius, threads);
    }

    /// <summary>Number of label columns stored with the codes (0: the file has no labels).</summary>
    public int LabelCount { get; }

    /// <summary>The stored labels and their names (copied out), or null when the file has none.</summary>
    public IndexLabels? Labels
    {
        get
        {
            var p = Alive();
            if (LabelCount == 0) return null;
            int lw = (LabelCount + 63) >> 6;
            long at = IndexFile.HeaderBytes + 8L * Count + 8L * Count * WordsPerCode;
            var rows = new ReadOnlySpan<ulong>(p + at, Count * lw).ToArray();
            at += 8L * Count * lw;
            long n = *(long*)(p + at);
            var text = System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(p + at + 8, (int)n));
            string[] names = n == 0 ? [] : text.Split('\n');
            if (names.Length is not 0 && names.Length != LabelCount)
                throw new InvalidDataException($"index file {Path}: label names: {names.Length} names for {LabelCount} labels");
            return new IndexLabels(names, Metrics.MultiHot.FromWords(rows, Count, LabelCount));
        }
    }

    /// <summary>Copies the ids and codes into managed arrays (e.g. to build a <see cref="MultiIndexHashing"/>).</summary>
    public PackedCodes ToPackedCodes() => PackedCodes.FromWords(Words.ToArray(), Count, Bits, Ids.ToArray());

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }

    private byte* Alive()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _base;
    }

    /// <summary>Memory over the mapping, so the flat scan takes it like an array; the mapping's owner frees it.</summary>
    private sealed class PointerMemory<T>(T* pointer, int length) : MemoryManager<T> where T : unmanaged
    {
        public override Span<T> GetSpan() => new(pointer, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
