using Lah.Torch.Native;

namespace Lah.Torch;

/// <summary>Functional neural-network ops with PyTorch's semantics (torch.nn.functional).</summary>
public static unsafe class F
{
    private static IntPtr H(Tensor? t) => t?.Handle ?? IntPtr.Zero;

    /// <summary>x @ weightᵀ + bias, weight in PyTorch's out×in layout.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(NativeMethods.lah_nn_linear(x.Handle, weight.Handle, H(bias), out var r), r);

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups = 1)
    {
        long* s = stackalloc long[] { stride.H, stride.W };
        long* p = stackalloc long[] { padding.H, padding.W };
        long* d = stackalloc long[] { dilation.H, dilation.W };
        return Tensor.Wrap(NativeMethods.lah_nn_conv2d(x.Handle, weight.Handle, H(bias), s, p, d, groups, out var r), r);
    }

    /// <summary>Batch normalisation; when training, the running statistics are updated in place.</summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum = 0.1, double eps = 1e-5) =>
        Tensor.Wrap(NativeMethods.lah_nn_batch_norm(x.Handle, H(weight), H(bias), H(runningMean), H(runningVar), training, momentum, eps, out var r), r);

    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool ceilMode = false) =>
        MaxPool2d(x, (kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding), ceilMode);

    public static Tensor MaxPool2d(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding, bool ceilMode = false)
    {
        long* k = stackalloc long[] { kernel.H, kernel.W };
        long* s = stackalloc long[] { stride.H, stride.W };
        long* p = stackalloc long[] { padding.H, padding.W };
        long* d = stackalloc long[] { 1, 1 };
        return Tensor.Wrap(NativeMethods.lah_nn_max_pool2d(x.Handle, k, s, p, d, ceilMode, out var r), r);
    }

    public static Tensor AdaptiveAvgPool2d(Tensor x, (int H, int W) size) => AdaptivePool(x, size, 0);
    public static Tensor AdaptiveMaxPool2d(Tensor x, (int H, int W) size) => AdaptivePool(x, size, 1);

    private static Tensor AdaptivePool(Tensor x, (int H, int W) size, int op)
    {
        long* s = stackalloc long[] { size.H, size.W };
        return Tensor.Wrap(NativeMethods.lah_nn_adaptive_pool2d(x.Handle, s, op, out var r), r);
    }

    /// <summary>
    /// Inverted dropout: zeroes with probability p and scales the rest by 1/(1−p) when training. The mask is drawn from
    /// <paramref name="generator"/>, or from the global generator when it is null (PyTorch's F.dropout takes none).
    /// </summary>
    public static Tensor Dropout(Tensor x, double p, bool training, Generator? generator = null)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must lie in [0, 1]");
        return generator is null
            ? Tensor.Wrap(NativeMethods.lah_nn_dropout(x.Handle, p, training, out var r), r)
            : Tensor.Wrap(NativeMethods.lah_random_dropout(x.Handle, p, training, generator.Handle, out var g), g);
    }

    public static Tensor InterpolateBilinear(Tensor x, (int H, int W) size, bool alignCorners = false, bool antialias = false)
    {
        long* s = stackalloc long[] { size.H, size.W };
        return Tensor.Wrap(NativeMethods.lah_nn_upsample_bilinear2d(x.Handle, s, alignCorners, antialias, out var r), r);
    }

    /// <summary>torch.nn.MultiLabelSoftMarginLoss (mean reduction) with 0/1 targets.</summary>
    public static Tensor MultiLabelSoftMarginLoss(Tensor input, Tensor target)
    {
        using var scope = Torch.NewScope();
        var perElement = target * input.LogSigmoid() + (1.0 - target) * (-input).LogSigmoid();
        return scope.Keep(-perElement.Mean(-1).Mean());
    }
}
