using System.Runtime.InteropServices;

namespace Lah.Torch.Serialization;

/// <summary>Bridges <see cref="Tensor"/>s and safetensors files: one tensor at a time from the memory map, atomic writes.</summary>
public static class TensorSafeTensors
{
    public static SafeDType ToSafeDType(DType dtype) => dtype switch
    {
        DType.Float32 => SafeDType.F32,
        DType.Float64 => SafeDType.F64,
        DType.Float16 => SafeDType.F16,
        DType.BFloat16 => SafeDType.BF16,
        DType.Int64 => SafeDType.I64,
        DType.Int32 => SafeDType.I32,
        DType.UInt8 => SafeDType.U8,
        DType.Bool => SafeDType.BOOL,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors dtype"),
    };

    /// <summary>The tensor dtype a file entry is read as (I16 and I8 have no tensor dtype and widen to Int64).</summary>
    public static DType ToDType(SafeDType dtype) => dtype switch
    {
        SafeDType.F32 => DType.Float32,
        SafeDType.F64 => DType.Float64,
        SafeDType.F16 => DType.Float16,
        SafeDType.BF16 => DType.BFloat16,
        SafeDType.I64 or SafeDType.I16 or SafeDType.I8 => DType.Int64,
        SafeDType.I32 => DType.Int32,
        SafeDType.U8 => DType.UInt8,
        SafeDType.BOOL => DType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown safetensors dtype"),
    };

    /// <summary>Copies one entry of <paramref name="file"/> into a new CPU tensor of its own dtype.</summary>
    public static Tensor Read(SafeTensorsFile file, string name)
    {
        var info = file[name];
        var bytes = file.GetBytes(name);
        var shape = info.Shape;
        return info.DType switch
        {
            SafeDType.F32 => Torch.FromSpan(MemoryMarshal.Cast<byte, float>(bytes), shape, DType.Float32),
            SafeDType.F64 => Torch.FromSpan(MemoryMarshal.Cast<byte, double>(bytes), shape, DType.Float64),
            SafeDType.F16 => Torch.FromSpan(MemoryMarshal.Cast<byte, Half>(bytes), shape, DType.Float16),
            SafeDType.BF16 => Torch.FromSpan(MemoryMarshal.Cast<byte, ushort>(bytes), shape, DType.BFloat16),
            SafeDType.I64 => Torch.FromSpan(MemoryMarshal.Cast<byte, long>(bytes), shape, DType.Int64),
            SafeDType.I32 => Torch.FromSpan(MemoryMarshal.Cast<byte, int>(bytes), shape, DType.Int32),
            SafeDType.U8 => Torch.FromSpan(bytes, shape, DType.UInt8),
            SafeDType.BOOL => Torch.FromSpan(bytes, shape, DType.Bool),
            _ => Torch.FromSpan<long>(file.ReadInt64(name), shape, DType.Int64),
        };
    }

    /// <summary>Every tensor of the file at <paramref name="path"/> (the caller owns them).</summary>
    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        var result = new Dictionary<string, Tensor>();
        foreach (var info in file.Tensors) result[info.Name] = Read(file, info.Name);
        return result;
    }

    /// <summary>The tensor's elements as little-endian bytes (copied from any device).</summary>
    public static byte[] ToBytes(Tensor t)
    {
        using var cpu = t.Device.Type == DeviceType.CPU ? null : t.Cpu();
        var src = cpu ?? t;
        return src.DType switch
        {
            DType.Float32 => MemoryMarshal.AsBytes<float>(src.ToArray<float>()).ToArray(),
            DType.Float64 => MemoryMarshal.AsBytes<double>(src.ToArray<double>()).ToArray(),
            DType.Float16 or DType.BFloat16 => MemoryMarshal.AsBytes<ushort>(src.ToArray<ushort>()).ToArray(),
            DType.Int64 => MemoryMarshal.AsBytes<long>(src.ToArray<long>()).ToArray(),
            DType.Int32 => MemoryMarshal.AsBytes<int>(src.ToArray<int>()).ToArray(),
            _ => src.ToArray<byte>(),
        };
    }

    /// <summary>Writes <paramref name="tensors"/> (in order) to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensorsWriter.Write(path,
            tensors.Select(kv => new SafeTensorEntry(kv.Key, ToSafeDType(kv.Value.DType), kv.Value.Shape, ToBytes(kv.Value))),
            metadata);
}
