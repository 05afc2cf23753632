using System.Collections;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace Lah.Torch.Serialization;

/// <summary>
/// PyTorch's <c>torch.save</c> files (the zip format, the default since PyTorch 1.6: torchvision and timm <c>.pth</c>
/// weights) read without Python. Only state dicts: a dict of name → tensor, or a checkpoint whose <c>state_dict</c> /
/// <c>model</c> entry is one.
/// <para>
/// The pickle is read by Razorvine.Pickle rather than libtorch's <c>torch::pickle_load</c>: libtorch's unpickler (1.13,
/// and later: pytorch/pytorch#100741) turns <c>collections.OrderedDict</c>, which every <c>Module.state_dict()</c> is,
/// into None and fails with "Expected GenericDict but got None". Tensors are the persistent storage ids torch.save
/// writes (entries <c>data/KEY</c> of the zip) wrapped by <c>torch._utils._rebuild_tensor_v2</c>; constructors
/// registered with the library map those, <c>OrderedDict</c> and the storage classes to records. Other objects of a
/// checkpoint become the library's class dicts (numpy scalars and arrays: opaque) and are not read.
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
            var entries = StateDictEntries(StorageUnpickler.Load(ReadAll(pkl)));
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
                    result.Add(name, Materialize(name, t, bytes));
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
        if (root is not Hashtable dict)
            throw new InvalidDataException($"the file holds {Describe(root)}, not a state dict (a dict of name -> tensor)");
        if (TryTensors(dict, out var entries, out var bad)) return entries;
        foreach (var key in new[] { "state_dict", "model" })
            if (dict[key] is Hashtable inner)
                return TryTensors(inner, out entries, out var innerBad) ? entries
                    : throw new InvalidDataException($"not a state dict: '{key}' entry: {innerBad}");
        throw new InvalidDataException($"not a state dict: {bad}");
    }

    private static bool TryTensors(Hashtable dict, out List<(string, TensorRef)> entries, out string bad)
    {
        entries = [];
        bad = "";
        foreach (var (k, v) in Items(dict))
        {
            if (k is not string name) { bad = $"a key that is {Describe(k)}"; return false; }
            if (v is not TensorRef t) { bad = $"'{name}' is {Describe(v)}, not a tensor"; return false; }
            entries.Add((name, t));
        }
        return true;
    }

    // A dict's items in the file's order. The library's dicts are Hashtables, and its SETITEMS inserts each batch in
    // reverse, so insertion order is lost; but pickle writes each value right after its key, so tensors come in the
    // order of their persistent loads. One tensor object under several keys (a hand-made dict of tied weights; a
    // Module.state_dict() detaches each entry) loads once: those keys follow in ordinal order.
    private static IEnumerable<(object Key, object? Value)> Items(Hashtable dict) =>
        dict.Cast<DictionaryEntry>().Select(e => (e.Key, e.Value))
            .OrderBy(e => e.Value is TensorRef t ? t.Storage.Sequence : long.MaxValue)
            .ThenBy(e => e.Key.ToString(), StringComparer.Ordinal);

    private static string Describe(object? o) => o switch
    {
        null => "None",
        string => "a string",
        int or long or BigInteger => "an integer",
        double => "a float",
        bool => "a bool",
        byte[] => "bytes",
        Hashtable => "a dict",
        ArrayList => "a list",
        object?[] => "a tuple",
        TensorRef => "a tensor",
        StorageRef => "a storage",
        ClassDict c => $"a {c.ClassName}",
        Opaque p => $"a {p.Class}",
        ClassDictConstructor g => $"the global {g.module}.{g.name}",
        StorageType s => $"the global torch.{s.Name}",
        _ => o.GetType().Name,
    };

    // Gathers the tensor's elements (offset, sizes and strides in elements) into a contiguous tensor.
    private static Tensor Materialize(string name, TensorRef t, byte[] storage)
    {
        var (type, size) = (t.Storage.Type, t.Storage.Type.Size);
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
        var (shape, dtype) = (t.Shape, type.DType);
        var tensor = type.Name switch
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

    /// <summary>A <c>torch.XStorage</c> class: what a persistent id's element type is (int8/int16 widen to int64: no C# dtype).</summary>
    private sealed record StorageType(string Name, DType DType, int Size) : IObjectConstructor
    {
        public object construct(object[] args) =>
            throw new InvalidDataException($"torch.{Name}(...) is called in the pickle; torch.save refers to storages by persistent id only");
    }

    /// <summary>The zip entry <c>data/Key</c>; <paramref name="Sequence"/> counts persistent loads, i.e. the file's order.</summary>
    private sealed record StorageRef(StorageType Type, string Key, long Sequence);

    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>A Python object the state dict does not need (a numpy scalar in a checkpoint, say), kept by class name.</summary>
    private sealed class Opaque(string cls)
    {
        public string Class => cls;

        // BUILD: the object's state; not needed.
        public void __setstate__(object? state) { }
    }

    /// <summary><c>collections.OrderedDict</c>: a <see cref="Hashtable"/>, what the library's SETITEM(S) fill.</summary>
    private sealed class OrderedDict : Hashtable
    {
        // BUILD: Module.state_dict()'s `_metadata` attribute (module versions); not needed.
        public void __setstate__(object? state) { }
    }

    private sealed class Constructor(Func<object[], object> make) : IObjectConstructor
    {
        public object construct(object[] args) => make(args);
    }

    /// <summary>Razorvine's unpickler with torch.save's persistent ids and the torch classes a state dict uses.</summary>
    private sealed class StorageUnpickler : Unpickler
    {
        private long _loads;

        // Razorvine's constructor table is process-wide; registering once here keeps it read-only while files load.
        static StorageUnpickler()
        {
            StorageType[] storages =
            [
                new("FloatStorage", DType.Float32, 4), new("DoubleStorage", DType.Float64, 8),
                new("HalfStorage", DType.Float16, 2), new("BFloat16Storage", DType.BFloat16, 2),
                new("LongStorage", DType.Int64, 8), new("IntStorage", DType.Int32, 4),
                new("ShortStorage", DType.Int64, 2), new("CharStorage", DType.Int64, 1),
                new("ByteStorage", DType.UInt8, 1), new("BoolStorage", DType.Bool, 1),
            ];
            foreach (var s in storages) registerConstructor("torch", s.Name, s);
            var dict = new Constructor(args => args.Length == 0 ? new OrderedDict()
                : throw new InvalidDataException($"OrderedDict built from {Describe(args[0])}; torch.save writes an empty one and then its items"));
            registerConstructor("collections", "OrderedDict", dict);
            registerConstructor("builtins", "dict", dict);
            foreach (var name in new[] { "_rebuild_tensor_v2", "_rebuild_tensor" })
                registerConstructor("torch._utils", name, new Constructor(args => RebuildTensor(name, args)));
            foreach (var name in new[] { "_rebuild_parameter", "_rebuild_parameter_with_state" })
                registerConstructor("torch._utils", name, new Constructor(args =>
                    args is [TensorRef t, ..] ? t : throw new InvalidDataException($"{name}: data is {Describe(args.FirstOrDefault())}, not a tensor")));
            // numpy scalars and arrays in checkpoints (a best metric, say) take constructor arguments, which the
            // library's fallback for unknown classes refuses; they are not state-dict entries, so they stay opaque.
            foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
                foreach (var name in new[] { "scalar", "_reconstruct" })
                    registerConstructor(module, name, new Constructor(_ => new Opaque($"{module}.{name}")));
            registerConstructor("numpy", "dtype", new Constructor(_ => new Opaque("numpy.dtype")));
        }

        /// <summary>The root object of a torch.save pickle; any failure is an <see cref="InvalidDataException"/>.</summary>
        public static object? Load(byte[] pickle)
        {
            using var unpickler = new StorageUnpickler();
            try
            {
                return unpickler.loads(pickle);
            }
            catch (InvalidDataException)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The library's errors (PickleException), and its reads past the end or pops of an empty stack on
                // truncated or malformed input (range errors, casts), as one line.
                var detail = e switch
                {
                    PickleException { InnerException: { } inner } => $"{e.Message}: {inner.GetBaseException().Message}",
                    PickleException => e.Message,
                    ArgumentOutOfRangeException or IndexOutOfRangeException => "it ends early or is malformed",
                    _ => $"{e.GetType().Name}: {e.Message}",
                };
                throw new InvalidDataException($"data.pkl is not a readable pickle ({detail})", e);
            }
        }

        // ('storage', torch.XStorage, key, location, numel): the zip entry data/key.
        protected override object persistentLoad(object pid)
        {
            if (pid is object[] { Length: >= 3 } t && t[0] is "storage" && t[2] is string key)
                return t[1] is StorageType type ? new StorageRef(type, key, _loads++)
                    : throw new InvalidDataException($"unsupported storage type {(t[1] is ClassDictConstructor g ? $"{g.module}.{g.name}" : Describe(t[1]))}");
            throw new InvalidDataException($"unsupported persistent id {Describe(pid)}");
        }

        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]), in elements.
        private static TensorRef RebuildTensor(string name, object[] args)
        {
            if (args.Length < 4) throw new InvalidDataException($"{name} with {args.Length} arguments");
            if (args[0] is not StorageRef s) throw new InvalidDataException($"{name}: storage is {Describe(args[0])}");
            var (shape, stride) = (Longs(args[2]), Longs(args[3]));
            if (shape.Length != stride.Length)
                throw new InvalidDataException($"{name}: {shape.Length} sizes but {stride.Length} strides");
            return new TensorRef(s, Long(args[1]), shape, stride);
        }

        private static long Long(object? o) => o switch
        {
            int i => i,
            long l => l,
            _ => throw new InvalidDataException($"a tensor size or offset is {Describe(o)}, not an integer"),
        };

        private static long[] Longs(object? o) =>
            o is object?[] t ? t.Select(Long).ToArray() : throw new InvalidDataException($"tensor sizes are {Describe(o)}");
    }
}
