using Lah.Data;
using Lah.Retrieval;
using Lah.Torch;

namespace Lah.Training.Inference;

/// <summary>Runs a network over images in evaluation mode: codes (continuous outputs and packed signs) or fused outputs.</summary>
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

    /// <summary>A classifier head's label scores per image (its fused output, one value per label; N×R row-major).</summary>
    public static float[] Scores(HashingNetwork network, IMultiLabelDataset dataset, IReadOnlyList<int> indices,
        ImageTransform transform, int batchSize, Device device, int workers = 2)
    {
        if (indices.Count == 0) throw new ArgumentException("indices: nothing to score");
        int width = network.Head.LabelCount;
        return BatchInference.Run(network, images => network.ForwardHead(images).Fused, width, dataset, indices, transform,
            batchSize, device, workers).Rows;
    }
}
