using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Lah.Torch.Serialization;

/// <summary>Element types of the safetensors format (names as they appear in the header).</summary>
public enum SafeDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL }

/// <summary>One header entry: where a tensor's bytes lie in the data section.</summary>
public sealed record SafeTensorInfo(string Name, SafeDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>The product of the shape (overflow-checked; the file's header was checked to fit when it was opened).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
    public long ByteLength => End - Begin;
}

/// <summary>
/// A safetensors file opened by memory mapping: the header is parsed and validated once, tensor bytes are read
/// straight from the mapping, so a large file is never loaded twice. Pure managed: usable without libtorch.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;
    private bool _disposed;

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Entries in data-offset order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    private SafeTensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr,
        long fileLength)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePtr;
        if (fileLength < 8) throw Bad($"file is {fileLength} bytes, shorter than the 8-byte header length");
        long headerLen = BitConverter.ToInt64(new ReadOnlySpan<byte>(_base, 8));
        if (headerLen <= 0 || headerLen > MaxHeaderBytes || 8 + headerLen > fileLength)
            throw Bad($"header length {headerLen} does not fit a file of {fileLength} bytes (truncated or not safetensors)");
        _dataStart = 8 + headerLen;
        (Metadata, Tensors) = ParseHeader(new ReadOnlySpan<byte>(_base + 8, checked((int)headerLen)), fileLength - _dataStart);
        _byName = Tensors.ToDictionary(t => t.Name);
    }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file on any defect.</summary>
    public static SafeTensorsFile Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"safetensors file not found: {path}", path, e);
        }
        // The open stream's length is the file's, also through a symbolic link (FileInfo.Length is the link's own).
        var length = stream.Length;
        if (length == 0)
        {
            stream.Dispose();
            return new SafeTensorsFile(path, null, null, null, 0);
        }
        MemoryMappedFile map;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            ptr += view.PointerOffset;
            return new SafeTensorsFile(path, map, view, ptr, length);
        }
        catch
        {
            if (view is not null) { view.SafeMemoryMappedViewHandle.ReleasePointer(); view.Dispose(); }
            map.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public SafeTensorInfo this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    /// <summary>The tensor's raw little-endian bytes, valid until the file is disposed.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var t = this[name];
        return new ReadOnlySpan<byte>(_base + _dataStart + t.Begin, checked((int)t.ByteLength));
    }

    /// <summary>Reads a floating-point tensor (F64, F32, F16, BF16) as float32, row-major.</summary>
    public float[] ReadFloat32(string name)
    {
        var t = this[name];
        var bytes = GetBytes(name);
        var result = new float[t.ElementCount];
        switch (t.DType)
        {
            case SafeDType.F32: MemoryMarshal.Cast<byte, float>(bytes).CopyTo(result); break;
            case SafeDType.F64:
                var d = MemoryMarshal.Cast<byte, double>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (float)d[i];
                break;
            case SafeDType.F16:
                var h = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (float)h[i];
                break;
            case SafeDType.BF16:
                var b = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = BFloat16ToSingle(b[i]);
                break;
            default: throw Bad($"tensor '{name}' is {t.DType}, expected a floating-point dtype");
        }
        return result;
    }

    /// <summary>Reads a floating-point tensor as float64 (exact for F64 goldens).</summary>
    public double[] ReadFloat64(string name)
    {
        var t = this[name];
        if (t.DType == SafeDType.F64) return MemoryMarshal.Cast<byte, double>(GetBytes(name)).ToArray();
        return Array.ConvertAll(ReadFloat32(name), x => (double)x);
    }

    /// <summary>Reads an integer or bool tensor as int64.</summary>
    public long[] ReadInt64(string name)
    {
        var t = this[name];
        var bytes = GetBytes(name);
        var r = new long[t.ElementCount];
        switch (t.DType)
        {
            case SafeDType.I64: MemoryMarshal.Cast<byte, long>(bytes).CopyTo(r); break;
            case SafeDType.I32: { var s = MemoryMarshal.Cast<byte, int>(bytes); for (int i = 0; i < r.Length; i++) r[i] = s[i]; break; }
            case SafeDType.I16: { var s = MemoryMarshal.Cast<byte, short>(bytes); for (int i = 0; i < r.Length; i++) r[i] = s[i]; break; }
            case SafeDType.I8: { var s = MemoryMarshal.Cast<byte, sbyte>(bytes); for (int i = 0; i < r.Length; i++) r[i] = s[i]; break; }
            case SafeDType.U8 or SafeDType.BOOL: for (int i = 0; i < r.Length; i++) r[i] = bytes[i]; break;
            default: throw Bad($"tensor '{name}' is {t.DType}, expected an integer dtype");
        }
        return r;
    }

    public static int ElementSize(SafeDType dtype) => dtype switch
    {
        SafeDType.F64 or SafeDType.I64 => 8,
        SafeDType.F32 or SafeDType.I32 => 4,
        SafeDType.F16 or SafeDType.BF16 or SafeDType.I16 => 2,
        _ => 1,
    };

    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round-to-nearest-even float32 → bfloat16, NaN kept quiet.</summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((u >> 16) | 0x40);
        return (ushort)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
    }

    private (IReadOnlyDictionary<string, string>, IReadOnlyList<SafeTensorInfo>) ParseHeader(ReadOnlySpan<byte> json, long dataLength)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException e) { throw Bad($"header is not valid JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("header must be a JSON object");
            var metadata = new Dictionary<string, string>();
            var tensors = new List<SafeTensorInfo>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                            ? m.Value.GetString()!
                            : throw Bad($"__metadata__['{m.Name}'] must be a string");
                    continue;
                }
                if (tensors.Any(t => t.Name == prop.Name)) throw Bad($"tensor '{prop.Name}' appears twice in the header");
                tensors.Add(ParseEntry(prop.Name, prop.Value, dataLength));
            }
            tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long expected = 0;
            foreach (var t in tensors)
            {
                // The format requires a dense data section: no gaps, no overlaps.
                if (t.Begin != expected) throw Bad($"tensor '{t.Name}' starts at {t.Begin}, expected {expected} (gap or overlap)");
                expected = t.End;
            }
            if (expected != dataLength) throw Bad($"data section is {dataLength} bytes but tensors cover {expected} (truncated or trailing bytes)");
            return (metadata, tensors);
        }
    }

    private SafeTensorInfo ParseEntry(string name, JsonElement e, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"entry '{name}' must be an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String || !Enum.TryParse<SafeDType>(dt.GetString(), false, out var dtype))
            throw Bad($"entry '{name}': dtype missing or not one of {string.Join(", ", Enum.GetNames<SafeDType>())}");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad($"entry '{name}': shape must be an array of non-negative integers");
        var shape = sh.EnumerateArray().Select(x => x.TryGetInt64(out var v) && v >= 0 ? v : throw Bad($"entry '{name}': bad shape value {x}")).ToArray();
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad($"entry '{name}': data_offsets must be [begin, end]");
        long begin = 0, end = 0; // TryGetInt64 throws on a non-number, so the kinds are checked first
        if (off[0].ValueKind != JsonValueKind.Number || off[1].ValueKind != JsonValueKind.Number
            || !off[0].TryGetInt64(out begin) || !off[1].TryGetInt64(out end))
            throw Bad($"entry '{name}': data_offsets {off} must be two integers");
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad($"entry '{name}': data_offsets [{begin}, {end}] outside the {dataLength}-byte data section (file truncated?)");
        var info = new SafeTensorInfo(name, dtype, shape, begin, end);
        long bytes;
        try
        {
            // Checked: a product that wrapped around could match the offsets and pass for a tiny tensor.
            bytes = checked(info.ElementCount * ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw Bad($"entry '{name}': {dtype}[{string.Join(",", shape)}] has more than {long.MaxValue} bytes (shape overflows)");
        }
        if (bytes != info.ByteLength)
            throw Bad($"entry '{name}': {dtype}[{string.Join(",", shape)}] needs {bytes} bytes, offsets give {info.ByteLength}");
        return info;
    }

    private InvalidDataException Bad(string what) => new($"{Path}: invalid safetensors file: {what}");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null) { _view.SafeMemoryMappedViewHandle.ReleasePointer(); _view.Dispose(); }
        _map?.Dispose();
    }
}
