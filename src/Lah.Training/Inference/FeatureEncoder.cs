using Lah.Hashing.Models;
using Lah.Retrieval;

namespace Lah.Training.Inference;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Encodes features with a trained head, batch by batch in evaluation mode.</summary>
public static class FeatureEncoder
{
    /// <summary>
    /// Continuous outputs tanh(hash layer) and their packed signs (0 ↦ −1, the same bits as <see cref="IHashHead.Encode"/>).
    /// </summary>
    public static EncodedSet Encode(IHashHead head, FeatureSet data, int batchSize = 256)
    {
        if (data.FeatureDim != head.FeatureDim)
            throw new ArgumentException($"data.FeatureDim: expected the head's feature size {head.FeatureDim}, got {data.FeatureDim}");
        int k = head.HashBits;
        var outputs = new float[(long)data.Count * k];
        var device = DeviceOf(head);
        head.Train(false);
        using (Torch.NoGrad())
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                using var scope = Torch.NewScope();
                var f = Torch.FromArray(data.Features.AsSpan(start * data.FeatureDim, n * data.FeatureDim).ToArray(), n, data.FeatureDim).To(device);
                head.ForwardHead(f).Codes.ToFloatArray().CopyTo(outputs, (long)start * k);
            }
        return new EncodedSet(PackedCodes.FromSigns(outputs, data.Count, k), outputs);
    }

    /// <summary>A classifier head's label scores per row (its fused output; N×R row-major), in evaluation mode.</summary>
    public static float[] Scores(IHashHead head, FeatureSet data)
    {
        head.Train(false);
        using var noGrad = Torch.NoGrad();
        using var scope = Torch.NewScope();
        var f = Torch.FromArray(data.Features, data.Count, data.FeatureDim).To(DeviceOf(head));
        return head.ForwardHead(f).Fused.Cpu().ToFloatArray();
    }

    /// <summary>Where the head's parameters live (batches are created there); CPU for a head without parameters.</summary>
    public static Lah.Torch.Device DeviceOf(IHashHead head) =>
        head is Lah.Torch.NN.Module m && m.Parameters().FirstOrDefault() is { } p ? p.Device : Lah.Torch.Device.CPU;
}
