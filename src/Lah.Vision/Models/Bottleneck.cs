using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Vision.Models;

/// <summary>
/// torchvision's Bottleneck (ResNet v1.5: the stride sits on the 3×3 conv): 1×1 → 3×3 (groups) → 1×1 ×4, each
/// followed by BN, ReLU after the first two and after the residual sum. Inner width = planes·width_per_group/64·groups.
/// </summary>
public sealed class Bottleneck : Module
{
    public const int Expansion = 4;

    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;
    private readonly Conv2d _conv3;
    private readonly BatchNorm2d _bn3;
    private readonly Sequential? _downsample;

    public Bottleneck(int inplanes, int planes, int stride, Sequential? downsample, int groups = 1, int baseWidth = 64,
        Generator? generator = null)
    {
        // Integer division as torchvision: int(planes * (base_width / 64.0)) * groups.
        int width = (int)(planes * (baseWidth / 64.0)) * groups;
        if (width <= 0) throw new ArgumentException($"Bottleneck: width_per_group {baseWidth} gives no channels for {planes} planes");
        _conv1 = RegisterModule("conv1", new Conv2d(inplanes, width, 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(width));
        _conv2 = RegisterModule("conv2", new Conv2d(width, width, 3, stride: stride, padding: 1, groups: groups, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(width));
        _conv3 = RegisterModule("conv3", new Conv2d(width, planes * Expansion, 1, bias: false, generator: generator));
        _bn3 = RegisterModule("bn3", new BatchNorm2d(planes * Expansion));
        if (downsample is not null) _downsample = RegisterModule("downsample", downsample);
    }

    public BatchNorm2d LastNorm => _bn3;

    public override Tensor Forward(Tensor x)
    {
        var y = _bn1.Forward(_conv1.Forward(x)).Relu();
        y = _bn2.Forward(_conv2.Forward(y)).Relu();
        y = _bn3.Forward(_conv3.Forward(y));
        var identity = _downsample?.Forward(x) ?? x;
        return (y + identity).Relu();
    }
}
