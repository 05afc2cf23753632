namespace Lah.Torch.NN;

/// <summary>y = x·Wᵀ + b with W out×in; PyTorch's default init: W and b ~ U(±1/√in), drawn from the generator given.</summary>
public sealed class Linear : Module
{
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: feature counts must be positive, got in={inFeatures}, out={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Torch.Empty([outFeatures, inFeatures]);
        // kaiming_uniform_(a=√5) reduces to U(±1/√fan_in).
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5), generator: generator);
        RegisterParameter("weight", Weight);
        if (bias)
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            Bias = Init.Uniform_(Torch.Empty([outFeatures]), -bound, bound, generator);
        }
        RegisterParameter("bias", Bias);
    }

    public override Tensor Forward(Tensor x) => F.Linear(x, Weight, Bias);
}
