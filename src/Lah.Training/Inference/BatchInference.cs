using Lah.Data;
using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Training.Inference;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Runs a module in evaluation mode, without gradients, over items of a dataset in their given order, and gathers one
/// row of outputs and the multi-hot labels per item (for feature caches and encoders). The module's mode is restored.
/// </summary>
public static class BatchInference
{
    public static (float[] Rows, float[] Labels) Run(Module module, Func<Tensor, Tensor> forward, int width,
        IMultiLabelDataset dataset, IReadOnlyList<int> indices, ImageTransform transform, int batchSize, Device device,
        int workers)
    {
        int r = dataset.LabelNames.Count;
        var rows = new float[(long)indices.Count * width];
        var labels = new float[(long)indices.Count * r];
        var loader = new DataLoader(dataset, indices, transform, batchSize, shuffle: false, seed: 0, workers: workers);
        bool wasTraining = module.IsTraining;
        module.Eval();
        try
        {
            using var noGrad = Torch.NoGrad();
            int row = 0;
            foreach (var batch in loader.Epoch(0))
            {
                using var scope = Torch.NewScope();
                var images = Torch.FromArray(batch.Images, batch.Size, 3, batch.Height, batch.Width);
                loader.Return(batch); // copied into the tensor: a later batch refills the buffer
                if (device != Device.CPU) images = images.To(device);
                forward(images).Cpu().ToFloatArray().CopyTo(rows, (long)row * width);
                batch.Labels.CopyTo(labels, (long)row * r);
                row += batch.Size;
            }
        }
        finally
        {
            module.Train(wasTraining);
        }
        return (rows, labels);
    }
}
