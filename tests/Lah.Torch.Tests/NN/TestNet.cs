using Lah.Torch.NN;

namespace Lah.Torch.Tests.NN;

/// <summary>A small nested tree: features (Sequential of Linear, ReLU, Dropout, BatchNorm-free) and a head.</summary>
internal sealed class TestNet : Module
{
    public Sequential Features { get; }
    public Linear Head { get; }

    public TestNet(int inFeatures = 4, int hidden = 3, int outFeatures = 2)
    {
        Features = RegisterModule("features", new Sequential(new Linear(inFeatures, hidden), new ReLU(), new Dropout(0.5)));
        Head = RegisterModule("head", new Linear(hidden, outFeatures, bias: false));
        RegisterBuffer("scale", Torch.Ones([outFeatures]));
        RegisterBuffer("cache", Torch.Zeros([1]), persistent: false);
    }

    public override Tensor Forward(Tensor x) => Head.Forward(Features.Forward(x));
}
