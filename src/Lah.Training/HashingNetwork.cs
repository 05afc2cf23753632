using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.NN;
using Lah.Vision;

namespace Lah.Training;

/// <summary>
/// Backbone → pooled features → hash head, as one module: state-dict names `backbone.*` (torchvision's under it) and
/// `head.*` (the official head names under it). End-to-end training, encoding and the model file all use it.
/// Disposing it disposes both parts.
/// </summary>
public sealed class HashingNetwork : Module, ITrainable
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
    public override Tensor Forward(Tensor images) => ForwardHead(images).Codes;

    /// <summary>Images → the head's fused output and relaxed codes.</summary>
    public HeadOutput ForwardHead(Tensor images) => Head.ForwardHead(Backbone.ForwardPooled(images));

    Module ITrainable.Module => this;

    int ITrainable.LabelCount => Head.LabelCount;

    HeadOutput ITrainable.Forward(Tensor input) => ForwardHead(input);

    /// <summary>"backbone" first, then the head's groups.</summary>
    public IReadOnlyList<ParameterGroup> OptimizedGroups() =>
        [new ParameterGroup("backbone", Backbone.Parameters().ToList()), .. Head.OptimizedGroups()];

    /// <summary>The backbone's parameters and every head parameter (frozen ones included).</summary>
    public IEnumerable<Tensor> ClippedParameters() => Backbone.Parameters().Concat(Head.Parameters());
}
