using Lah.Hashing.Models;
using Lah.Torch;

namespace Lah.Training.Features;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Encodes features to ±1 codes with a trained head, batch by batch in evaluation mode.</summary>
public static class FeatureEncoder
{
    /// <summary>N×K codes (row-major, ±1 as sbyte; sign with 0 ↦ −1).</summary>
    public static sbyte[] EncodeSigns(IHashHead head, FeatureSet data, int batchSize = 256)
    {
        int k = head.HashBits;
        var codes = new sbyte[(long)data.Count * k];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            using var scope = Torch.NewScope();
            var f = Torch.FromArray(data.Features.AsSpan(start * data.FeatureDim, n * data.FeatureDim).ToArray(), n, data.FeatureDim);
            var signs = head.Encode(f).ToFloatArray();
            for (int i = 0; i < signs.Length; i++) codes[(long)start * k + i] = signs[i] > 0 ? (sbyte)1 : (sbyte)-1;
        }
        return codes;
    }
}
