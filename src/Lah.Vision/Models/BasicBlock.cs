using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Vision.Models;

/// <summary>torchvision's BasicBlock: 3×3 conv → BN → ReLU → 3×3 conv → BN, plus the (downsampled) input, ReLU.</summary>
public sealed class BasicBlock : Module
{
    public const int Expansion = 1;

    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;
    private readonly Sequential? _downsample;

    public BasicBlock(int inplanes, int planes, int stride, Sequential? downsample, int groups = 1, int baseWidth = 64,
        Generator? generator = null)
    {
        if (groups != 1 || baseWidth != 64)
            throw new ArgumentException($"BasicBlock: only groups = 1 and width_per_group = 64 exist, got {groups} and {baseWidth}");
        _conv1 = RegisterModule("conv1", new Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, padding: 1, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (downsample is not null) _downsample = RegisterModule("downsample", downsample);
    }

    /// <summary>The last batch norm of the residual branch (zero-initialised with zero_init_residual).</summary>
    public BatchNorm2d LastNorm => _bn2;

    public override Tensor Forward(Tensor x)
    {
        var y = _bn1.Forward(_conv1.Forward(x)).Relu();
        y = _bn2.Forward(_conv2.Forward(y));
        var identity = _downsample?.Forward(x) ?? x;
        return (y + identity).Relu();
    }
}
