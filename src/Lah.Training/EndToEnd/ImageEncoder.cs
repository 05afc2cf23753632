using Lah.Data;
using Lah.Retrieval;
using Lah.Torch;
using Lah.Training.Features;

namespace Lah.Training.EndToEnd;

/// <summary>Encodes images with a network in evaluation mode: continuous outputs, packed codes and the items' labels.</summary>
public static class ImageEncoder
{
    public static (EncodedSet Encoded, float[] Labels) Encode(HashingNetwork network, IMultiLabelDataset dataset,
        IReadOnlyList<int> indices, ImageTransform transform, int batchSize, Device device, int workers = 2)
    {
        if (indices.Count == 0) throw new ArgumentException("indices: nothing to encode");
        int k = network.Head.HashBits;
        var (outputs, labels) = BatchInference.Run(network,
            images => network.Head.ForwardHead(network.Backbone.ForwardPooled(images)).Codes, k, dataset, indices, transform,
            batchSize, device, workers);
        return (new EncodedSet(PackedCodes.FromSigns(outputs, indices.Count, k), outputs), labels);
    }
}
