using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Hashing.Modules;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// R linear maps in → out, one per label (the paper's Ũ or Ṽ of MFB): <c>weight</c> R×out×in, <c>bias</c> R×out, each
/// label's slice initialised as PyTorch's nn.Linear, U(±1/√in), drawn from the generator given (null: the global one).
/// </summary>
public sealed class PerLabelLinear : Module
{
    public int Labels { get; }
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public PerLabelLinear(int labels, int inFeatures, int outFeatures, Generator? generator = null)
    {
        if (labels <= 0 || inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"PerLabelLinear: sizes must be positive, got R={labels}, in={inFeatures}, out={outFeatures}");
        Labels = labels;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        double bound = 1 / Math.Sqrt(inFeatures);
        Weight = Init.Uniform_(Torch.Empty([labels, outFeatures, inFeatures]), -bound, bound, generator).RequiresGrad_(true);
        Bias = Init.Uniform_(Torch.Empty([labels, outFeatures]), -bound, bound, generator).RequiresGrad_(true);
        RegisterParameter("weight", Weight);
        RegisterParameter("bias", Bias);
    }

    /// <summary>Every label's map applied to the same rows x (B×in) → B×R×out: one matrix product with R·out columns.</summary>
    public Tensor ForwardShared(Tensor x)
    {
        long b = x.Shape[0];
        using var w = Weight.Reshape(Labels * (long)OutFeatures, InFeatures);
        using var flatBias = Bias.Reshape(Labels * (long)OutFeatures);
        using var y = F.Linear(x, w, flatBias);
        return y.Reshape(b, Labels, OutFeatures);
    }

    /// <summary>Label r's map applied to row r of x (R×in) → R×out: a batched matrix–vector product.</summary>
    public Tensor ForwardPerLabel(Tensor x)
    {
        using var column = x.Unsqueeze(2);
        using var y = Weight.Bmm(column);
        using var squeezed = y.Squeeze(2);
        return squeezed + Bias;
    }

    public override Tensor Forward(Tensor x) => ForwardShared(x);
}
