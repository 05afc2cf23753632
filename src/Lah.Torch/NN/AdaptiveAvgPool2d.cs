namespace Lah.Torch.NN;

/// <summary>Average pooling to a fixed output size (1×1: global average pooling).</summary>
public sealed class AdaptiveAvgPool2d : Module
{
    public (int H, int W) OutputSize { get; }

    public AdaptiveAvgPool2d(int outputSize) : this((outputSize, outputSize)) { }

    public AdaptiveAvgPool2d((int H, int W) outputSize) => OutputSize = outputSize;

    public override Tensor Forward(Tensor x) => F.AdaptiveAvgPool2d(x, OutputSize);
}
