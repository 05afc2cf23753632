using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Hashing.Models;

/// <summary>
/// A hash head plus the hash centers its loss pulls toward (CSQ, hybrid), kept as the persistent buffer "centers"
/// (R×K, ±1) so a saved model carries the targets it was trained against. The inner head's state lives under "head.".
/// Forward, encoding and parameters are the inner head's.
/// </summary>
public sealed class CenterHashHead : Module, IHashHead
{
    public IHashHead Inner { get; }
    public Tensor Centers { get; }

    public CenterHashHead(IHashHead inner, Tensor centers)
    {
        if (inner is not Module module) throw new ArgumentException($"inner: expected a Module head, got {inner.GetType().Name}");
        if (centers.Dim != 2 || centers.Shape[0] != inner.LabelCount || centers.Shape[1] != inner.HashBits)
            throw new ArgumentException($"centers: expected {inner.LabelCount}×{inner.HashBits}, got [{string.Join(',', centers.Shape)}]");
        Inner = inner;
        RegisterModule("head", module);
        Centers = RegisterBuffer("centers", centers.Clone())!;
    }

    public int FeatureDim => Inner.FeatureDim;
    public int LabelCount => Inner.LabelCount;
    public int HashBits => Inner.HashBits;

    public HeadOutput ForwardHead(Tensor features) => Inner.ForwardHead(features);

    public override Tensor Forward(Tensor features) => Inner.ForwardHead(features).Codes;

    public Tensor Encode(Tensor features) => Inner.Encode(features);

    public IReadOnlyList<ParameterGroup> OptimizedGroups() => Inner.OptimizedGroups();

    IEnumerable<Tensor> IHashHead.Parameters() => Inner.Parameters();
}
