using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.NN;
using Lah.Vision;

namespace Lah.Training.EndToEnd;

/// <summary>
/// Backbone → pooled features → hash head, as one module: state-dict names `backbone.*` (torchvision's under it) and
/// `head.*` (the official head names under it). Disposing it disposes both parts.
/// </summary>
public sealed class HashingNetwork : Module
{
    public Backbone Backbone { get; }
    public IHashHead Head { get; }

    public HashingNetwork(Backbone backbone, IHashHead head)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        if (head is not Module headModule)
            throw new ArgumentException($"head: {head.GetType().Name} must be a Module so that checkpoints can hold its state");
        if (backbone.NumFeatures != head.FeatureDim)
            throw new ArgumentException(
                $"head.FeatureDim: expected the backbone's pooled size {backbone.NumFeatures} ({backbone.GetType().Name}), got {head.FeatureDim}");
        (Backbone, Head) = (backbone, head);
        RegisterModule("backbone", backbone);
        RegisterModule("head", headModule);
    }

    /// <summary>Images → relaxed codes (B×K).</summary>
    public override Tensor Forward(Tensor images) => Head.ForwardHead(Backbone.ForwardPooled(images)).Codes;
}
