namespace Lah.Torch.NN;

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor x) => x.Relu();
}
