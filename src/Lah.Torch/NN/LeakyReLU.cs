namespace Lah.Torch.NN;

public sealed class LeakyReLU : Module
{
    public double NegativeSlope { get; }

    public LeakyReLU(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    public override Tensor Forward(Tensor x) => x.LeakyRelu(NegativeSlope);
}
