using Lah.Tests;
using Lah.Torch.NN;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Torch.Tests.NN;

/// <summary>
/// Loads the torchvision-named F16 weights of the resnet_* golden (BasicBlock, layers [1,1,1,1]) into a module tree
/// built here with torchvision's names, and checks the eval forward against the golden. (The real ResNet lives in
/// Lah.Vision; this tree only exercises names, F16 → F32 loading, Conv2d and BatchNorm2d.)
/// </summary>
public class ResNetGoldenTests
{
    private sealed class BasicBlock : Module
    {
        private readonly Conv2d _conv1, _conv2;
        private readonly BatchNorm2d _bn1, _bn2;
        private readonly Sequential? _downsample;

        public BasicBlock(int inPlanes, int planes, int stride)
        {
            _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias: false));
            _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
            _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias: false));
            _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
            if (stride != 1 || inPlanes != planes)
                _downsample = RegisterModule("downsample",
                    new Sequential(new Conv2d(inPlanes, planes, 1, stride, bias: false), new BatchNorm2d(planes)));
        }

        public override Tensor Forward(Tensor x)
        {
            var y = _bn2.Forward(_conv2.Forward(_bn1.Forward(_conv1.Forward(x)).Relu()));
            return (y + (_downsample?.Forward(x) ?? x)).Relu();
        }
    }

    private sealed class TinyResNet : Module
    {
        // Chains layer1..layer4 (registered on this module under torchvision's names; the chain itself is not).
        private readonly Sequential _body;

        public TinyResNet()
        {
            var conv1 = RegisterModule("conv1", new Conv2d(3, 64, 7, 2, 3, bias: false));
            var bn1 = RegisterModule("bn1", new BatchNorm2d(64));
            _body = new Sequential(
                RegisterModule("layer1", new Sequential(new BasicBlock(64, 64, 1))),
                RegisterModule("layer2", new Sequential(new BasicBlock(64, 128, 2))),
                RegisterModule("layer3", new Sequential(new BasicBlock(128, 256, 2))),
                RegisterModule("layer4", new Sequential(new BasicBlock(256, 512, 2))));
            RegisterModule("fc", new Linear(512, 10));
            Conv1 = conv1;
            Bn1 = bn1;
        }

        public Conv2d Conv1 { get; }
        public BatchNorm2d Bn1 { get; }

        public override Tensor Forward(Tensor x) =>
            _body.Forward(F.MaxPool2d(Bn1.Forward(Conv1.Forward(x)).Relu(), 3, 2, 1));
    }

    [SkippableFact]
    public void TorchvisionNamedF16WeightsLoadAndReproduceLayer4()
    {
        var path = TestPaths.Golden("resnet_basic_s7.safetensors");
        using var net = new TinyResNet();
        var result = net.LoadSafeTensors(path, strict: false);
        Assert.Empty(result.MissingKeys);
        Assert.All(result.UnexpectedKeys, k => Assert.True(k.StartsWith("input.") || k.StartsWith("expected.")));
        Assert.Equal(4, result.UnexpectedKeys.Count); // input.images and three expected.* tensors
        Assert.Contains(net.StateDict().Keys, k => k == "layer2.0.downsample.1.running_var");

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(file.ReadFloat32("layer3.0.conv2.weight"), net.StateDict()["layer3.0.conv2.weight"].ToFloatArray());
        Assert.Equal(DType.Float32, net.StateDict()["fc.weight"].DType);
        Assert.Equal(file.ReadInt64("layer1.0.bn1.num_batches_tracked")[0], net.StateDict()["layer1.0.bn1.num_batches_tracked"].ItemLong());

        net.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = TensorSafeTensors.Read(file, "input.images");
        var got = net.Forward(x).ToFloatArray();
        var expected = file.ReadFloat32("expected.layer4");
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-4 + 1e-3 * Math.Abs(expected[i]),
                $"expected.layer4[{i}]: expected {expected[i]}, got {got[i]}");
    }
}
