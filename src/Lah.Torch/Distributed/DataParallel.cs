namespace Lah.Torch.Distributed;

/// <summary>
/// The two steps of data-parallel training over a <see cref="ProcessGroup"/> (what PyTorch's DDP does around a model):
/// <see cref="BroadcastFrom"/> makes every rank start from rank 0's parameters and buffers, and
/// <see cref="AverageGradients"/> replaces each gradient by its mean over ranks after backward. Gradients travel in
/// buckets: several are flattened into one buffer of about <see cref="BucketBytes"/> (25 MB, DDP's default), so a
/// model with hundreds of small tensors costs a few collectives per step instead of hundreds.
/// </summary>
/// <remarks>
/// Every rank must hold the same tensors in the same order, and the same parameters must have gradients on every rank
/// (they do when every rank runs the same model and loss); a parameter without a gradient is left out of the buckets.
/// </remarks>
public sealed class DataParallel(ProcessGroup group, long bucketBytes = DataParallel.DefaultBucketBytes)
{
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    public ProcessGroup Group { get; } = group;
    public long BucketBytes { get; } = bucketBytes > 0 ? bucketBytes : throw new ArgumentOutOfRangeException(nameof(bucketBytes));

    /// <summary>Copies the root's values into these tensors on every rank (parameters are written under no-grad).</summary>
    public void BroadcastFrom(IEnumerable<Tensor> tensors, int root = 0)
    {
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        foreach (var bucket in Buckets(tensors.ToList()))
        {
            var flat = Flatten(bucket);
            Group.Broadcast(flat, root);
            Unflatten(flat, bucket);
        }
    }

    /// <summary>Sums every present gradient over ranks and divides by the world size, in place.</summary>
    public void AverageGradients(IEnumerable<Tensor> parameters)
    {
        if (Group.WorldSize == 1) return;
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        var buckets = Buckets(grads);
        var flats = buckets.Select(Flatten).ToList();
        // All buckets in one call: the native side issues them all before waiting, so they pipeline.
        Group.AllReduce(flats);
        for (var i = 0; i < buckets.Count; i++)
        {
            flats[i].Div_(Group.WorldSize);
            Unflatten(flats[i], buckets[i]);
        }
    }

    // Consecutive tensors of one dtype, up to BucketBytes each (a larger tensor is a bucket of its own).
    private List<List<Tensor>> Buckets(List<Tensor> tensors)
    {
        var buckets = new List<List<Tensor>>();
        List<Tensor>? current = null;
        long bytes = 0;
        foreach (var t in tensors)
        {
            var size = t.NumEl * t.DType.ElementSize();
            if (current is null || current[0].DType != t.DType || bytes + size > BucketBytes)
            {
                current = [];
                buckets.Add(current);
                bytes = 0;
            }

            current.Add(t);
            bytes += size;
        }

        return buckets;
    }

    // One contiguous CPU buffer (Gloo is CPU-only; CUDA tensors are staged through host memory).
    private static Tensor Flatten(List<Tensor> bucket)
    {
        var flat = bucket.Count == 1 ? bucket[0].Reshape(-1) : Torch.Cat(bucket.Select(t => t.Reshape(-1)).ToList());
        // Reshape may alias the tensor itself: the collective then writes into it, which the copy-back repeats harmlessly.
        return flat.Device.Type == DeviceType.CPU ? flat.Contiguous() : flat.To(Device.CPU);
    }

    private static void Unflatten(Tensor flat, List<Tensor> bucket)
    {
        long offset = 0;
        foreach (var t in bucket)
        {
            var n = t.NumEl;
            var part = flat.Narrow(0, offset, n).View(t.Shape);
            t.Copy_(part.Device == t.Device ? part : part.To(t.Device));
            offset += n;
        }
    }
}
