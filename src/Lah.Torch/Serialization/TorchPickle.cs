using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace Lah.Torch.Serialization;

/// <summary>
/// PyTorch's <c>torch.save</c> files (the zip format, the default since PyTorch 1.6: torchvision and timm <c>.pth</c>
/// weights) read without Python. Only state dicts: a dict of name → tensor, or a checkpoint whose <c>state_dict</c> /
/// <c>model</c> entry is one.
/// <para>
/// The pickle is read here rather than by libtorch's <c>torch::pickle_load</c>: libtorch's unpickler (1.13, and
/// later: pytorch/pytorch#100741) turns <c>collections.OrderedDict</c>, which every <c>Module.state_dict()</c> is, into
/// None and fails with "Expected GenericDict but got None". The subset read is what torch.save writes (pickle
/// protocol 2–5, tensors as persistent storage ids into the zip's <c>data/</c> entries); any other Python object
/// fails naming it.
/// </para>
/// </summary>
public static class TorchPickle
{
    /// <summary>
    /// The state dict in <paramref name="path"/>, in the file's order, as contiguous CPU tensors the caller owns (out of
    /// scopes). Throws <see cref="FileNotFoundException"/> for a missing file and <see cref="InvalidDataException"/>
    /// naming the file for anything else (legacy pre-1.6 files, corrupt zips, a pickle that is not a state dict).
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PyTorch file not found: {path}", path);
        var format = WeightsFormats.Detect(path);
        if (format == WeightsFormat.LegacyTorchPickle)
            throw new InvalidDataException(
                $"{path}: a legacy torch.save file (PyTorch < 1.6, not a zip); re-save it with a newer PyTorch: torch.save(torch.load(f), f)");
        if (format != WeightsFormat.TorchZip)
            throw new InvalidDataException($"{path}: not a torch.save file (it does not start as a zip archive)");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw new InvalidDataException("no <archive>/data.pkl entry (a TorchScript archive or another zip, not torch.save output)");
            var prefix = pkl.FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "byteorder") is { } bo && ReadAll(bo) is var order && Encoding.ASCII.GetString(order) != "little")
                throw new InvalidDataException($"byteorder is '{Encoding.ASCII.GetString(order)}', only little-endian files are read");
            var root = new Unpickler(ReadAll(pkl)).Load();
            var entries = StateDictEntries(root);
            var storages = new Dictionary<string, byte[]>();
            var result = new Dictionary<string, Tensor>();
            try
            {
                foreach (var (name, t) in entries)
                {
                    if (!storages.TryGetValue(t.Storage.Key, out var bytes))
                    {
                        var entry = zip.GetEntry($"{prefix}data/{t.Storage.Key}")
                            ?? throw new InvalidDataException($"'{name}': storage data/{t.Storage.Key} is missing from the archive");
                        storages[t.Storage.Key] = bytes = ReadAll(entry);
                    }
                    if (!result.TryAdd(name, Materialize(name, t, bytes))) throw new InvalidDataException($"key '{name}' appears twice");
                }
                return result;
            }
            catch
            {
                foreach (var t in result.Values) t.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException && e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot read as a PyTorch state dict: {e.Message}", e);
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry e)
    {
        using var s = e.Open();
        var buf = new byte[e.Length];
        s.ReadExactly(buf);
        return buf;
    }

    // The (name, tensor) pairs of a dict of tensors, or of its "state_dict" / "model" entry.
    private static List<(string, TensorRef)> StateDictEntries(object? root)
    {
        if (root is not PyDict dict)
            throw new InvalidDataException($"the file holds {Describe(root)}, not a state dict (a dict of name -> tensor)");
        if (TryTensors(dict, out var entries, out var bad)) return entries;
        foreach (var key in new[] { "state_dict", "model" })
            if (dict.Get(key) is PyDict inner)
                return TryTensors(inner, out entries, out var innerBad) ? entries
                    : throw new InvalidDataException($"not a state dict: '{key}' entry: {innerBad}");
        throw new InvalidDataException($"not a state dict: {bad}");
    }

    private static bool TryTensors(PyDict dict, out List<(string, TensorRef)> entries, out string bad)
    {
        entries = [];
        bad = "";
        foreach (var (k, v) in dict.Items)
        {
            if (k is not string name) { bad = $"a key that is {Describe(k)}"; return false; }
            if (v is not TensorRef t) { bad = $"'{name}' is {Describe(v)}, not a tensor"; return false; }
            entries.Add((name, t));
        }
        return true;
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        string => "a string",
        long or System.Numerics.BigInteger => "an integer",
        double => "a float",
        bool => "a bool",
        PyDict => "a dict",
        List<object?> => "a list",
        object?[] => "a tuple",
        TensorRef => "a tensor",
        PyObject p => $"a {p.Class}",
        PyGlobal g => $"the global {g}",
        _ => o.GetType().Name,
    };

    // Element sizes of the storage classes torch.save names (int8/int16 widen to int64: no C# dtype).
    private static (DType DType, int Size) StorageType(string name) => name switch
    {
        "FloatStorage" => (DType.Float32, 4),
        "DoubleStorage" => (DType.Float64, 8),
        "HalfStorage" => (DType.Float16, 2),
        "BFloat16Storage" => (DType.BFloat16, 2),
        "LongStorage" => (DType.Int64, 8),
        "IntStorage" => (DType.Int32, 4),
        "ShortStorage" => (DType.Int64, 2),
        "CharStorage" => (DType.Int64, 1),
        "ByteStorage" => (DType.UInt8, 1),
        "BoolStorage" => (DType.Bool, 1),
        _ => throw new InvalidDataException($"unsupported storage type torch.{name}"),
    };

    // Gathers the tensor's elements (offset, sizes and strides in elements) into a contiguous tensor.
    private static Tensor Materialize(string name, TensorRef t, byte[] storage)
    {
        var (dtype, size) = StorageType(t.Storage.Type);
        long n = t.Shape.Aggregate(1L, (a, b) => a * b);
        var bytes = new byte[n * size];
        if (n > 0)
        {
            long maxIndex = t.Offset;
            for (var d = 0; d < t.Shape.Length; d++) maxIndex += (t.Shape[d] - 1) * t.Stride[d];
            if (t.Offset < 0 || (maxIndex + 1) * size > storage.Length)
                throw new InvalidDataException($"'{name}': shape [{string.Join(", ", t.Shape)}] and strides reach past its storage ({storage.Length} bytes)");
            // Row-major strides (every saved parameter; views differ): one block copy.
            if (IsRowMajor(t)) Buffer.BlockCopy(storage, checked((int)(t.Offset * size)), bytes, 0, bytes.Length);
            else GatherStrided(t, storage, size, bytes);
        }
        var shape = t.Shape;
        var tensor = t.Storage.Type switch
        {
            "FloatStorage" => Torch.FromSpan(MemoryMarshal.Cast<byte, float>(bytes), shape, dtype),
            "DoubleStorage" => Torch.FromSpan(MemoryMarshal.Cast<byte, double>(bytes), shape, dtype),
            "HalfStorage" => Torch.FromSpan(MemoryMarshal.Cast<byte, Half>(bytes), shape, dtype),
            "BFloat16Storage" => Torch.FromSpan(MemoryMarshal.Cast<byte, ushort>(bytes), shape, dtype),
            "LongStorage" => Torch.FromSpan(MemoryMarshal.Cast<byte, long>(bytes), shape, dtype),
            "IntStorage" => Torch.FromSpan(MemoryMarshal.Cast<byte, int>(bytes), shape, dtype),
            "ShortStorage" => Torch.FromSpan<long>(MemoryMarshal.Cast<byte, short>(bytes).ToArray().Select(v => (long)v).ToArray(), shape, dtype),
            "CharStorage" => Torch.FromSpan<long>(bytes.Select(v => (long)(sbyte)v).ToArray(), shape, dtype),
            _ => Torch.FromSpan<byte>(bytes, shape, dtype),
        };
        return tensor.DetachFromScopes();
    }

    private static bool IsRowMajor(TensorRef t)
    {
        long expect = 1;
        for (var d = t.Shape.Length - 1; d >= 0; d--)
        {
            if (t.Shape[d] != 1 && t.Stride[d] != expect) return false;
            expect *= t.Shape[d];
        }
        return true;
    }

    private static void GatherStrided(TensorRef t, byte[] storage, int size, byte[] bytes)
    {
        var index = new long[t.Shape.Length];
        for (long i = 0, n = bytes.Length / size; i < n; i++)
        {
            long src = t.Offset;
            for (var d = 0; d < index.Length; d++) src += index[d] * t.Stride[d];
            Buffer.BlockCopy(storage, (int)(src * size), bytes, (int)(i * size), size);
            for (var d = index.Length - 1; d >= 0; d--)
            {
                if (++index[d] < t.Shape[d]) break;
                index[d] = 0;
            }
        }
    }

    private sealed record PyGlobal(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    private sealed record PyObject(string Class);
    private sealed record StorageRef(string Type, string Key);
    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride);

    private sealed class PyDict
    {
        public List<(object? Key, object? Value)> Items { get; } = [];

        public void Set(object? k, object? v)
        {
            var i = Items.FindIndex(e => Equals(e.Key, k));
            if (i >= 0) Items[i] = (k, v);
            else Items.Add((k, v));
        }

        public object? Get(string k) => Items.FirstOrDefault(e => Equals(e.Key, k)).Value;
    }

    /// <summary>A pickle virtual machine for the opcodes torch.save emits; other Python objects become opaque.</summary>
    private sealed class Unpickler(byte[] data)
    {
        private static readonly object Mark = new();
        private readonly List<object?> _stack = [];
        private readonly Dictionary<long, object?> _memo = [];
        private int _pos;

        private byte U8() => _pos < data.Length ? data[_pos++] : throw new EndOfStreamException("data.pkl ends before STOP");

        private ReadOnlySpan<byte> Take(long n)
        {
            if (n < 0 || _pos + n > data.Length) throw new EndOfStreamException("data.pkl ends inside an opcode");
            var s = data.AsSpan(_pos, (int)n);
            _pos += (int)n;
            return s;
        }

        private string Line()
        {
            int end = Array.IndexOf(data, (byte)'\n', _pos);
            if (end < 0) throw new EndOfStreamException("data.pkl ends inside a GLOBAL");
            var s = Encoding.UTF8.GetString(data, _pos, end - _pos);
            _pos = end + 1;
            return s;
        }

        private object? Pop()
        {
            if (_stack.Count == 0) throw new InvalidDataException("pickle stack underflow");
            var v = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return v;
        }

        private List<object?> PopMark()
        {
            int i = _stack.LastIndexOf(Mark);
            if (i < 0) throw new InvalidDataException("pickle MARK missing");
            var items = _stack.GetRange(i + 1, _stack.Count - i - 1);
            _stack.RemoveRange(i, _stack.Count - i);
            return items;
        }

        public object? Load()
        {
            while (true)
            {
                byte op = U8();
                switch (op)
                {
                    case 0x80: U8(); break; // PROTO
                    case 0x95: Take(8); break; // FRAME
                    case (byte)'.': return Pop(); // STOP
                    case (byte)'(': _stack.Add(Mark); break;
                    case (byte)'0': Pop(); break;
                    case (byte)'1': PopMark(); break;
                    case (byte)'2': _stack.Add(_stack[^1]); break;
                    case (byte)'N': _stack.Add(null); break;
                    case 0x88: _stack.Add(true); break;
                    case 0x89: _stack.Add(false); break;
                    case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                    case (byte)'K': _stack.Add((long)U8()); break;
                    case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                    case 0x8a: _stack.Add(Long(Take(U8()))); break; // LONG1
                    case 0x8b: _stack.Add(Long(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break; // LONG4
                    case (byte)'G': _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                    case (byte)'X': _stack.Add(Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break;
                    case 0x8c: _stack.Add(Encoding.UTF8.GetString(Take(U8()))); break; // SHORT_BINUNICODE
                    case 0x8d: _stack.Add(Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadInt64LittleEndian(Take(8))))); break;
                    case (byte)'T': _stack.Add(Encoding.Latin1.GetString(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break;
                    case (byte)'U': _stack.Add(Encoding.Latin1.GetString(Take(U8()))); break;
                    case (byte)'B': _stack.Add(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))).ToArray()); break;
                    case (byte)'C': _stack.Add(Take(U8()).ToArray()); break;
                    case 0x8e: _stack.Add(Take(BinaryPrimitives.ReadInt64LittleEndian(Take(8))).ToArray()); break;
                    case (byte)')': _stack.Add(Array.Empty<object?>()); break;
                    case (byte)'t': _stack.Add(PopMark().ToArray()); break;
                    case 0x85: _stack.Add(new[] { Pop() }); break;
                    case 0x86: { var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b }); break; }
                    case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b, c }); break; }
                    case (byte)']': _stack.Add(new List<object?>()); break;
                    case (byte)'l': _stack.Add(PopMark()); break;
                    case (byte)'a': { var v = Pop(); AsList(_stack[^1]).Add(v); break; }
                    case (byte)'e': { var items = PopMark(); AsList(_stack[^1]).AddRange(items); break; }
                    case (byte)'}': _stack.Add(new PyDict()); break;
                    case (byte)'d': { var items = PopMark(); var d = new PyDict(); SetItems(d, items); _stack.Add(d); break; }
                    case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(_stack[^1]).Set(k, v); break; }
                    case (byte)'u': { var items = PopMark(); SetItems(AsDict(_stack[^1]), items); break; }
                    case (byte)'q': _memo[U8()] = _stack[^1]; break;
                    case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = _stack[^1]; break;
                    case 0x94: _memo[_memo.Count] = _stack[^1]; break; // MEMOIZE
                    case (byte)'h': _stack.Add(Memo(U8())); break;
                    case (byte)'j': _stack.Add(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                    case (byte)'c': { var module = Line(); _stack.Add(new PyGlobal(module, Line())); break; }
                    case 0x93: { var name = (string)Pop()!; _stack.Add(new PyGlobal((string)Pop()!, name)); break; } // STACK_GLOBAL
                    case (byte)'R': { var args = Pop() as object?[] ?? throw new InvalidDataException("REDUCE without an argument tuple"); _stack.Add(Reduce(Pop(), args)); break; }
                    case 0x81: { Pop(); var cls = Pop(); _stack.Add(new PyObject(cls?.ToString() ?? "object")); break; } // NEWOBJ
                    case (byte)'Q': _stack.Add(Persistent(Pop())); break;
                    case (byte)'b': Pop(); break; // BUILD: an OrderedDict's _metadata, an object's state: not needed
                    default: throw new InvalidDataException($"unsupported pickle opcode 0x{op:x2} at byte {_pos - 1} of data.pkl");
                }
            }
        }

        private object? Memo(long i) => _memo.TryGetValue(i, out var v) ? v : throw new InvalidDataException($"pickle memo {i} is unset");

        private static object Long(ReadOnlySpan<byte> b) =>
            b.Length <= 8 ? (long)new System.Numerics.BigInteger(b, isUnsigned: false) : new System.Numerics.BigInteger(b, isUnsigned: false);

        private static List<object?> AsList(object? o) => o as List<object?> ?? throw new InvalidDataException($"APPEND to {Describe(o)}");
        private static PyDict AsDict(object? o) => o as PyDict ?? throw new InvalidDataException($"SETITEM on {Describe(o)}");

        private static void SetItems(PyDict d, List<object?> items)
        {
            for (var i = 0; i + 1 < items.Count; i += 2) d.Set(items[i], items[i + 1]);
        }

        // ('storage', torch.XStorage, key, location, numel): the zip entry data/key.
        private static StorageRef Persistent(object? pid)
        {
            if (pid is object?[] { Length: >= 3 } t && t[0] as string == "storage" && t[1] is PyGlobal type && t[2] is string key)
                return new StorageRef(type.Name, key);
            throw new InvalidDataException($"unsupported persistent id {Describe(pid)}");
        }

        private static object Reduce(object? func, object?[] args)
        {
            if (func is not PyGlobal g) throw new InvalidDataException($"REDUCE on {Describe(func)}");
            switch (g.ToString())
            {
                case "collections.OrderedDict" or "builtins.dict" when args.Length == 0:
                    return new PyDict();
                case "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor" when args.Length >= 4:
                    if (args[0] is not StorageRef s) throw new InvalidDataException($"{g}: storage is {Describe(args[0])}");
                    return new TensorRef(s, (long)args[1]!, Longs(args[2]), Longs(args[3]));
                case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" when args.Length >= 1:
                    return args[0]!;
                default:
                    return new PyObject(g.ToString());
            }
        }

        private static long[] Longs(object? o) =>
            o is object?[] t ? t.Select(v => v is long l ? l : throw new InvalidDataException("a tensor size is not an integer")).ToArray()
                : throw new InvalidDataException($"tensor sizes are {Describe(o)}");
    }
}
