using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Hashing.Modules;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Kipf–Welling graph convolution as in the official code: out = Â·(X·W), no bias, W (in×out) initialised
/// U(−1/√out, 1/√out) (from <c>generator</c>; null: the global generator). Parameter name <c>weight</c> as in the official state dict.
/// </summary>
public sealed class GraphConvolution : Module
{
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }

    public GraphConvolution(int inFeatures, int outFeatures, Generator? generator = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        double stdv = 1.0 / Math.Sqrt(outFeatures);
        Weight = Torch.Empty([inFeatures, outFeatures]).Uniform_(-stdv, stdv, generator).RequiresGrad_(true);
        RegisterParameter("weight", Weight);
    }

    /// <summary>Â·(X·W) for node features X (R×in) and propagation matrix Â (R×R).</summary>
    public Tensor Forward(Tensor x, Tensor adjacency) => adjacency.MatMul(x.MatMul(Weight));

    public override Tensor Forward(Tensor x) =>
        throw new InvalidOperationException("GraphConvolution needs the propagation matrix: call Forward(x, adjacency)");
}
