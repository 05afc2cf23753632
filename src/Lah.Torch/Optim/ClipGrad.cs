namespace Lah.Torch.Optim;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).</summary>
public static class ClipGrad
{
    /// <summary>
    /// Scales all gradients together so their joint p-norm is at most <paramref name="maxNorm"/>: with
    /// coef = maxNorm/(total + 1e-6), applied only when coef &lt; 1. Returns the total norm before clipping
    /// (0 when no parameter has a gradient). normType may be +∞ (largest absolute value).
    /// </summary>
    public static double Norm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), normType, "norm type must be positive (or +∞)");
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        Tensor total = double.IsPositiveInfinity(normType)
            ? Torch.Stack(grads.Select(g => g.Abs().Max()).ToList()).Max()
            : Torch.Stack(grads.Select(g => g.Norm(normType)).ToList()).Norm(normType);
        // Computed in the gradients' precision, as PyTorch does, so clipped values match bit for bit.
        var coef = maxNorm / (total + 1e-6);
        if (coef.ItemDouble() < 1)
            foreach (var g in grads) g.Mul_(coef.To(g.Device, g.DType));
        return total.ItemDouble();
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue].</summary>
    public static void Value(IEnumerable<Tensor> parameters, double clipValue)
    {
        using var scope = Torch.NewScope();
        foreach (var p in parameters) p.Grad?.Clamp_(-clipValue, clipValue);
    }
}
