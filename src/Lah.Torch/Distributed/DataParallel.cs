namespace Lah.Torch.Distributed;

/// <summary>
/// The steps of data-parallel training over a <see cref="ProcessGroup"/> (what PyTorch's DDP does around a model):
/// <see cref="BroadcastFrom"/> makes every rank start from rank 0's parameters and buffers, and
/// <see cref="AverageGradients"/> replaces each gradient by its mean over ranks after backward. For a loss of the
/// whole global batch (pairs across ranks), <see cref="GatherBatch"/> gives every rank the global batch with gradients
/// through its own rows, and <see cref="SumGradients"/> adds up the ranks' shares. Gradients travel in
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

    /// <summary>
    /// Sums every present gradient over ranks and divides by the world size, in place: for a mean of per-row losses over
    /// equal slices, the mean of the ranks' gradients is the gradient of the global batch's mean.
    /// </summary>
    public void AverageGradients(IEnumerable<Tensor> parameters) => ReduceGradients(parameters, average: true);

    /// <summary>
    /// Sums every present gradient over ranks, in place: after a backward through <see cref="GatherBatch"/>, each rank
    /// holds its own rows' share of the global loss's gradient and the sum is the whole of it.
    /// </summary>
    public void SumGradients(IEnumerable<Tensor> parameters) => ReduceGradients(parameters, average: false);

    /// <summary>
    /// This rank's <paramref name="locals"/> (B rows each, one B on every rank) as the global batch: each [B, …] becomes
    /// [W·B, …] with the ranks' rows in rank order (the order of <c>Lah.Data.BatchSharding</c>'s slices), on its own
    /// device and dtype. Only this rank's rows carry gradient — they are <paramref name="locals"/> themselves, the other
    /// ranks' rows detached copies — so a backward of a loss L of the global batch U = [U_0; …; U_{W−1}] gives rank r
    /// exactly its term (∂L/∂U_r)(∂U_r/∂θ) of the one-process gradient Σ_r (∂L/∂U_r)(∂U_r/∂θ), and
    /// <see cref="SumGradients"/> adds the terms up. Tensors of one dtype travel in one all-gather (CUDA ones through
    /// the CPU); with one rank the tensors are returned as they are.
    /// </summary>
    public IReadOnlyList<Tensor> GatherBatch(IReadOnlyList<Tensor> locals)
    {
        if (locals.Count == 0) throw new ArgumentException("locals: expected at least one tensor to gather");
        if (Group.WorldSize == 1) return locals;
        var shapes = locals.Select(t => t.Shape).ToList();
        if (shapes.Any(s => s.Length == 0 || s[0] != shapes[0][0]))
            throw new ArgumentException(
                $"locals: expected tensors with one row count, got shapes {string.Join(", ", shapes.Select(s => $"[{string.Join(',', s)}]"))}");
        int rank = Group.Rank, world = Group.WorldSize;
        long rows = shapes[0][0];
        var result = new Tensor[locals.Count];
        using var scope = Torch.NewScope();
        // Grouped by dtype in order of first appearance: the same groups, in the same order, on every rank.
        foreach (var group in Enumerable.Range(0, locals.Count).GroupBy(i => locals[i].DType))
        {
            var members = group.ToList();
            var widths = members.Select(i => shapes[i].Skip(1).Aggregate(1L, (a, b) => a * b)).ToList();
            Tensor gathered;
            using (Torch.NoGrad())
            {
                var columns = members.Select(i => locals[i].Detach().Reshape(rows, -1)).ToList();
                var packed = columns.Count == 1 ? columns[0] : Torch.Cat(columns, 1);
                var device = packed.Device;
                gathered = Group.AllGather(device.Type == DeviceType.CPU ? packed : packed.To(Device.CPU)); // [W·B, Σ widths]
                if (device.Type != DeviceType.CPU) gathered = gathered.To(device);
            }
            long offset = 0;
            for (int m = 0; m < members.Count; m++)
            {
                int i = members[m];
                var local = locals[i];
                var all = gathered.Narrow(1, offset, widths[m]).Reshape([world * rows, .. shapes[i].Skip(1)]);
                offset += widths[m];
                if (local.RequiresGrad)
                {
                    var parts = new List<Tensor>(3);
                    if (rank > 0) parts.Add(all.Narrow(0, 0, rank * rows));
                    parts.Add(local);
                    if (rank < world - 1) parts.Add(all.Narrow(0, (rank + 1) * rows, (world - rank - 1) * rows));
                    all = Torch.Cat(parts);
                }
                result[i] = scope.Keep(all);
            }
        }
        return result;
    }

    private void ReduceGradients(IEnumerable<Tensor> parameters, bool average)
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
            if (average) flats[i].Div_(Group.WorldSize);
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
