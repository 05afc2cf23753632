namespace Lah.Torch.NN;

/// <summary>Max pooling; stride defaults to the kernel size.</summary>
public sealed class MaxPool2d : Module
{
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Stride { get; }
    public (int H, int W) Padding { get; }
    public bool CeilMode { get; }

    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false)
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize), (padding, padding), ceilMode)
    {
    }

    public MaxPool2d((int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, bool ceilMode = false) =>
        (KernelSize, Stride, Padding, CeilMode) = (kernelSize, stride, padding, ceilMode);

    public override Tensor Forward(Tensor x) => F.MaxPool2d(x, KernelSize, Stride, Padding, CeilMode);
}
