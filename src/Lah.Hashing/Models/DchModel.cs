using Lah.Hashing.Modules;
using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Hashing.Models;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// The DCH baseline head: pooled feature → hash layer → tanh, trained with the same Cauchy losses; no GCN, no fusion.
/// </summary>
public sealed class DchModel : Module, IHashHead
{
    public Linear HashLayer { get; }
    public int FeatureDim { get; }
    public int LabelCount { get; }
    public int HashBits { get; }
    public bool TanhInTraining { get; }

    public DchModel(int featureDim, int labelCount, int hashBits, bool tanhInTraining = true, Generator? generator = null)
    {
        if (featureDim <= 0) throw new ArgumentException($"featureDim: expected a positive size, got {featureDim}");
        if (hashBits <= 0) throw new ArgumentException($"hashBits: expected a positive size, got {hashBits}");
        (FeatureDim, LabelCount, HashBits, TanhInTraining) = (featureDim, labelCount, hashBits, tanhInTraining);
        HashLayer = new Linear(featureDim, hashBits, generator: generator);
        RegisterModule("hash_layer", HashLayer);
    }

    public HeadOutput ForwardHead(Tensor features)
    {
        if (features.Dim != 2 || features.Shape[1] != FeatureDim)
            throw new ArgumentException($"features: expected B×{FeatureDim}, got [{string.Join(',', features.Shape)}]");
        var h = HashLayer.Forward(features);
        return new HeadOutput(features, IsTraining && !TanhInTraining ? h : h.Tanh());
    }

    public override Tensor Forward(Tensor features) => ForwardHead(features).Codes;

    public Tensor Encode(Tensor features)
    {
        using var _ = Torch.NoGrad();
        return HashCodes.Binarize(HashLayer.Forward(features));
    }

    public IReadOnlyList<ParameterGroup> OptimizedGroups() => [new("hash", [.. HashLayer.Parameters()])];
}
