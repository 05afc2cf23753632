using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Vision.Models;

/// <summary>
/// torchvision's ResNet with its module layout, so state-dict names match torchvision's and timm's `*.tv_in1k`
/// weights (<c>conv1.weight</c>, <c>bn1.running_mean</c>, <c>layer2.0.downsample.0.weight</c>, <c>fc.bias</c>):
/// conv1 7×7/2 → bn1 → relu → maxpool 3×3/2 → layer1…layer4 (conv5 map, stride 32) → global pooling → fc.
/// Initialisation as torchvision: convs Kaiming normal (fan_out, ReLU), BN γ = 1, β = 0; every draw from the
/// constructor's generator (null: the global one).
/// </summary>
public sealed class ResNet : Backbone
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly MaxPool2d _maxpool;
    private readonly Sequential[] _stages;

    public ResNetConfig Config { get; }

    public override int NumFeatures => Config.NumFeatures;

    public override int FeatureStride => 32;

    /// <summary>layer1…layer4.</summary>
    public IReadOnlyList<Sequential> Stages => _stages;

    public ResNet(ResNetConfig config, Generator? generator = null)
    {
        config.Validate();
        Config = config;
        Pooling = config.Pooling;
        _conv1 = RegisterModule("conv1", new Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        // torchvision's `relu` has no parameters; it is applied inline.
        _maxpool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        int inplanes = 64;
        _stages = new Sequential[4];
        int[] planes = [64, 128, 256, 512];
        for (int s = 0; s < 4; s++)
            _stages[s] = RegisterModule($"layer{s + 1}", MakeStage(ref inplanes, planes[s], config.Layers[s], s == 0 ? 1 : 2, generator));
        SetClassifier(config.NumClasses, generator);
        Initialize(generator);
    }

    private Sequential MakeStage(ref int inplanes, int planes, int blocks, int stride, Generator? generator)
    {
        int expansion = Config.Expansion;
        var stage = new Sequential();
        for (int b = 0; b < blocks; b++)
        {
            int st = b == 0 ? stride : 1;
            // The first block changes resolution or width; its shortcut is a strided 1×1 conv + BN.
            var ds = b == 0 && (stride != 1 || inplanes != planes * expansion)
                ? new Sequential(new Conv2d(inplanes, planes * expansion, 1, stride: stride, bias: false, generator: generator), new BatchNorm2d(planes * expansion))
                : null;
            stage.Add(Config.Block == BlockKind.Basic
                ? new BasicBlock(inplanes, planes, st, ds, Config.Groups, Config.WidthPerGroup, generator)
                : new Bottleneck(inplanes, planes, st, ds, Config.Groups, Config.WidthPerGroup, generator));
            inplanes = planes * expansion;
        }
        return stage;
    }

    private void Initialize(Generator? generator)
    {
        foreach (var (_, m) in NamedModules())
        {
            switch (m)
            {
                case Conv2d c:
                    Init.KaimingNormal_(c.Weight, mode: FanMode.FanOut, nonlinearity: "relu", generator: generator);
                    break;
                case BatchNorm2d bn when bn.Weight is not null && bn.Bias is not null:
                    Init.Ones_(bn.Weight);
                    Init.Zeros_(bn.Bias);
                    break;
            }
        }
        if (!Config.ZeroInitResidual) return;
        foreach (var stage in _stages)
            for (int i = 0; i < stage.Count; i++)
            {
                var bn = stage[i] switch
                {
                    BasicBlock b => b.LastNorm,
                    Bottleneck b => b.LastNorm,
                    _ => null,
                };
                if (bn?.Weight is { } w) Init.Zeros_(w);
            }
    }

    /// <summary>conv1 … layer4: N×3×H×W → N×<see cref="NumFeatures"/>×H/32×W/32 (448 → 14×14).</summary>
    public override Tensor ForwardFeatures(Tensor images)
    {
        if (images.Dim != 4 || images.Shape[1] != 3)
            throw new ArgumentException($"images: expected N×3×H×W, got [{string.Join(", ", images.Shape)}]");
        var x = _maxpool.Forward(_bn1.Forward(_conv1.Forward(images)).Relu());
        foreach (var stage in _stages) x = stage.Forward(x);
        return x;
    }
}
