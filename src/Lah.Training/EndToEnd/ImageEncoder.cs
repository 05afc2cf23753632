using Lah.Data;
using Lah.Retrieval;
using Lah.Torch;
using Lah.Training.Features;

namespace Lah.Training.EndToEnd;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Encodes images with a network in evaluation mode: continuous outputs, packed codes and the items' labels.</summary>
public static class ImageEncoder
{
    public static (EncodedSet Encoded, float[] Labels) Encode(HashingNetwork network, IMultiLabelDataset dataset,
        IReadOnlyList<int> indices, ImageTransform transform, int batchSize, Device device, int workers = 2)
    {
        if (indices.Count == 0) throw new ArgumentException("indices: nothing to encode");
        int k = network.Head.HashBits;
        int c = dataset.LabelNames.Count;
        var outputs = new float[(long)indices.Count * k];
        var labels = new float[(long)indices.Count * c];
        var loader = new DataLoader(dataset, indices, transform, batchSize, shuffle: false, seed: 0, workers: workers);
        bool wasTraining = network.IsTraining;
        network.Eval();
        try
        {
            using var noGrad = Torch.NoGrad();
            int row = 0;
            foreach (var batch in loader.Epoch(0))
            {
                using var scope = Torch.NewScope();
                var images = Torch.FromArray(batch.Images, batch.Size, 3, batch.Height, batch.Width);
                if (device != Device.CPU) images = images.To(device);
                var u = network.Head.ForwardHead(network.Backbone.ForwardPooled(images)).Codes;
                u.Cpu().ToFloatArray().CopyTo(outputs, (long)row * k);
                batch.Labels.CopyTo(labels, (long)row * c);
                row += batch.Size;
            }
        }
        finally
        {
            network.Train(wasTraining);
        }
        return (new EncodedSet(PackedCodes.FromSigns(outputs, indices.Count, k), outputs), labels);
    }
}
