using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Vision;

/// <summary>
/// An image backbone with timm's split: <see cref="ForwardFeatures"/> (images → last feature map),
/// <see cref="Pool"/> (map → one vector per image) and <see cref="ForwardHead"/> (vector → logits, when a classifier is
/// present). ResNets and the small CNN share it, so trainers and the feature cache take any of them.
/// </summary>
public abstract class Backbone : Module
{
    private Linear? _classifier;

    /// <summary>Channels of the last feature map, which is the size of the pooled vector.</summary>
    public abstract int NumFeatures { get; }

    /// <summary>Input pixels per feature-map cell along each side (32 for ResNets: 448 → 14×14).</summary>
    public abstract int FeatureStride { get; }

    public GlobalPooling Pooling { get; set; } = GlobalPooling.Average;

    /// <summary>The classifier (`fc` in torchvision's names), or null when the backbone only gives features.</summary>
    public Linear? Classifier => _classifier;

    public int NumClasses => _classifier?.OutFeatures ?? 0;

    /// <summary>The parameter-name prefix of the classifier (timm's `pretrained_cfg.classifier`).</summary>
    public virtual string ClassifierName => "fc";

    /// <summary>Images N×3×H×W → last feature map N×<see cref="NumFeatures"/>×H/stride×W/stride.</summary>
    public abstract Tensor ForwardFeatures(Tensor images);

    /// <summary>Feature map → N×<see cref="NumFeatures"/> with <see cref="Pooling"/>.</summary>
    public Tensor Pool(Tensor featureMap)
    {
        if (featureMap.Dim != 4)
            throw new ArgumentException($"featureMap: expected N×C×H×W, got [{string.Join(", ", featureMap.Shape)}]");
        return Pooling switch
        {
            GlobalPooling.Max => featureMap.Amax([2, 3]),
            GlobalPooling.Average => featureMap.Mean([2, 3]),
            _ => throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "unknown pooling"),
        };
    }

    /// <summary>Images → pooled features N×<see cref="NumFeatures"/> (what a hash head consumes).</summary>
    public Tensor ForwardPooled(Tensor images) => Pool(ForwardFeatures(images));

    /// <summary>Pooled features → logits; throws when the classifier was removed.</summary>
    public Tensor ForwardHead(Tensor pooled) =>
        _classifier is { } fc
            ? fc.Forward(pooled)
            : throw new InvalidOperationException($"{GetType().Name}: no classifier (NumClasses = 0); use ForwardPooled for features");

    /// <summary>The whole network: logits when a classifier is present, else pooled features.</summary>
    public override Tensor Forward(Tensor images)
    {
        var pooled = ForwardPooled(images);
        return _classifier is null ? pooled : ForwardHead(pooled);
    }

    /// <summary>
    /// Replaces the classifier with a freshly initialised one of <paramref name="numClasses"/> outputs, or removes it
    /// (0). Call only while building: the classifier is registered as a child module named <see cref="ClassifierName"/>.
    /// </summary>
    protected void SetClassifier(int numClasses, Generator? generator = null)
    {
        if (numClasses < 0) throw new ArgumentException($"numClasses: expected ≥ 0, got {numClasses}");
        if (_classifier is not null)
            throw new InvalidOperationException($"{GetType().Name}: the classifier is set once, when the model is built");
        if (numClasses > 0) _classifier = RegisterModule(ClassifierName, new Linear(NumFeatures, numClasses, generator: generator));
    }
}
