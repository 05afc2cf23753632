namespace Lah.Torch.NN;

/// <summary>Max pooling to a fixed output size (1×1: global max pooling).</summary>
public sealed class AdaptiveMaxPool2d : Module
{
    public (int H, int W) OutputSize { get; }

    public AdaptiveMaxPool2d(int outputSize) : this((outputSize, outputSize)) { }

    public AdaptiveMaxPool2d((int H, int W) outputSize) => OutputSize = outputSize;

    public override Tensor Forward(Tensor x) => F.AdaptiveMaxPool2d(x, OutputSize);
}
