using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Vision.Models;

/// <summary>
/// A small CNN for training from scratch on the CPU (embedded datasets at 32–64 px), with the ResNets' interface:
/// <c>features.{i}.conv</c>/<c>features.{i}.bn</c> stages, a last feature map, global pooling and an optional `fc`.
/// </summary>
public sealed class SmallCnn : Backbone
{
    private readonly Sequential _features;

    public SmallCnnConfig Config { get; }

    public override int NumFeatures => Config.Widths[^1];

    public override int FeatureStride => 1 << (Config.Widths.Count - 1);

    /// <summary>Builds the network, drawing the initial weights from <paramref name="generator"/> (null: the global one).</summary>
    public SmallCnn(SmallCnnConfig config, Generator? generator = null)
    {
        config.Validate();
        Config = config;
        Pooling = config.Pooling;
        _features = RegisterModule("features", new Sequential());
        int inChannels = 3;
        for (int i = 0; i < config.Widths.Count; i++)
        {
            _features.Add(new SmallCnnStage(inChannels, config.Widths[i], pool: i < config.Widths.Count - 1, generator));
            inChannels = config.Widths[i];
        }
        SetClassifier(config.NumClasses, generator);
    }

    public override Tensor ForwardFeatures(Tensor images)
    {
        if (images.Dim != 4 || images.Shape[1] != 3)
            throw new ArgumentException($"images: expected N×3×H×W, got [{string.Join(", ", images.Shape)}]");
        return _features.Forward(images);
    }
}
