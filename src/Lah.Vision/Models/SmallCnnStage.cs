using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Vision.Models;

/// <summary>3×3 conv (no bias) → BN → ReLU → optional 2×2 max pool.</summary>
internal sealed class SmallCnnStage : Module
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly bool _pool;

    public SmallCnnStage(int inChannels, int outChannels, bool pool, Generator? generator = null)
    {
        _conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, 3, padding: 1, bias: false, generator: generator));
        _bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        Init.KaimingNormal_(_conv.Weight, mode: FanMode.FanOut, nonlinearity: "relu", generator: generator);
        _pool = pool;
    }

    public override Tensor Forward(Tensor x)
    {
        var y = _bn.Forward(_conv.Forward(x)).Relu();
        return _pool ? F.MaxPool2d(y, 2) : y;
    }
}
