using System.Text.Json;

namespace Lah.Torch.Serialization;

/// <summary>One tensor to write: its raw little-endian bytes, dtype and shape.</summary>
public sealed record SafeTensorEntry(string Name, SafeDType DType, long[] Shape, ReadOnlyMemory<byte> Data);

/// <summary>Writes safetensors files atomically: a temporary file beside the target, flushed, then renamed over it.</summary>
public static class SafeTensorsWriter
{
    public static void Write(string path, IEnumerable<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = entries.ToList();
        var seen = new HashSet<string>();
        foreach (var e in list)
        {
            if (e.Name == "__metadata__" || !seen.Add(e.Name)) throw new ArgumentException($"duplicate or reserved tensor name '{e.Name}'");
            long need = checked(e.Shape.Aggregate(1L, (a, b) => checked(a * b)) * SafeTensorsFile.ElementSize(e.DType));
            if (need != e.Data.Length)
                throw new ArgumentException($"tensor '{e.Name}': {e.DType}[{string.Join(",", e.Shape)}] needs {need} bytes, got {e.Data.Length}");
        }

        using var headerStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerStream))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in list)
            {
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", e.DType.ToString());
                w.WriteStartArray("shape");
                foreach (var s in e.Shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + e.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += e.Data.Length;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data section starts 8-byte aligned.
        int pad = (int)((8 - headerStream.Length % 8) % 8);
        for (int i = 0; i < pad; i++) headerStream.WriteByte((byte)' ');

        Lah.Common.AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes(headerStream.Length));
            headerStream.Position = 0;
            headerStream.CopyTo(stream);
            foreach (var e in list) stream.Write(e.Data.Span);
        });
    }
}
