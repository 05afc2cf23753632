namespace Lah.Torch.Serialization;

/// <summary>What a weights file holds, told from its first bytes (extensions are unreliable: `.pt`, `.pth`, `.bin`,
/// `.ckpt` are all used for both PyTorch formats).</summary>
public enum WeightsFormat { Unknown, SafeTensors, TorchZip, LegacyTorchPickle }

/// <summary>Reads state dicts from safetensors or <c>torch.save</c> files alike, dispatching on the file's magic.</summary>
public static class WeightsFormats
{
    /// <summary>The format of <paramref name="path"/> from its first bytes (<see cref="FileNotFoundException"/> when missing).</summary>
    public static WeightsFormat Detect(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        using var fs = File.OpenRead(path);
        var head = new byte[16];
        int n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head.AsSpan(0, n));
    }

    /// <summary>
    /// zip "PK\x03\x04": torch.save (≥ 1.6); pickle protocol 2+ "\x80": legacy torch.save; otherwise safetensors when
    /// the first 8 bytes are a plausible little-endian header length followed by '{'.
    /// </summary>
    public static WeightsFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            return WeightsFormat.TorchZip;
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return WeightsFormat.LegacyTorchPickle;
        if (head.Length >= 9 && BitConverter.ToUInt64(head) is > 1 and < (1UL << 32) && head[8] == (byte)'{')
            return WeightsFormat.SafeTensors;
        return WeightsFormat.Unknown;
    }

    /// <summary>Every tensor of a safetensors or torch.save state dict (the caller owns them).</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path) => Detect(path) switch
    {
        WeightsFormat.SafeTensors => TensorSafeTensors.ReadAll(path),
        WeightsFormat.TorchZip or WeightsFormat.LegacyTorchPickle => TorchPickle.LoadStateDict(path),
        _ => throw new InvalidDataException($"{path}: neither a safetensors file nor a torch.save file (unrecognised first bytes)"),
    };
}

/// <summary>Converts PyTorch weights to safetensors (the format LAH loads lazily from a memory map).</summary>
public static class WeightsConverter
{
    /// <summary>
    /// Writes the state dict of <paramref name="input"/> (torch.save or safetensors) to <paramref name="output"/> as
    /// safetensors, names and dtypes unchanged, tensors in the file's order; returns how many were written.
    /// </summary>
    public static int Convert(string input, string output, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var dict = WeightsFormats.ReadStateDict(input);
        try
        {
            using var noGrad = Torch.NoGrad();
            var contiguous = dict.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Contiguous().DetachFromScopes())).ToList();
            try
            {
                TensorSafeTensors.Write(output, contiguous, metadata ?? new Dictionary<string, string> { ["format"] = "pt", ["source"] = Path.GetFileName(input) });
            }
            finally
            {
                foreach (var kv in contiguous) kv.Value.Dispose();
            }
            return dict.Count;
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }
}
