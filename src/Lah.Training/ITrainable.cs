using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Training;

/// <summary>
/// What the one training loop trains: a module that maps a batch's input (pooled feature rows, or images) to a
/// <see cref="HeadOutput"/>, with its parameters in named groups for the optimizer. The three modes are three
/// implementations: <see cref="HeadModel"/> (feature mode), <see cref="HashingNetwork"/> (end to end) and
/// <see cref="ClassifierModel"/> (classification pre-training of a backbone).
/// </summary>
public interface ITrainable
{
    /// <summary>The module whose state is checkpointed and whose train/eval mode the loop sets.</summary>
    Module Module { get; }

    /// <summary>Label columns the output is trained against.</summary>
    int LabelCount { get; }

    HeadOutput Forward(Tensor input);

    /// <summary>The parameters the optimizer updates, by group ("backbone", "gcn", "fusion", "hash", …).</summary>
    IReadOnlyList<ParameterGroup> OptimizedGroups();

    /// <summary>
    /// Every parameter gradient clipping runs over, frozen ones included (the official code clips over all of them).
    /// </summary>
    IEnumerable<Tensor> ClippedParameters();

    /// <summary>Sets the generator training-mode draws (dropout) come from; the loop passes its own.</summary>
    void UseGenerator(Generator? generator);

    /// <summary>The generator in use (null: libtorch's global one).</summary>
    Generator? Generator { get; }
}

/// <summary>Feature mode: a hash head on precomputed pooled features (the backbone is frozen and not part of it).</summary>
public sealed class HeadModel(IHashHead head) : ITrainable
{
    public IHashHead Head { get; } = head;

    public Module Module => Head as Module
        ?? throw new InvalidOperationException($"{Head.GetType().Name} is not a Module: its weights cannot be checkpointed");

    public int LabelCount => Head.LabelCount;

    public HeadOutput Forward(Tensor input) => Head.ForwardHead(input);

    public IReadOnlyList<ParameterGroup> OptimizedGroups() => Head.OptimizedGroups();

    public IEnumerable<Tensor> ClippedParameters() => Head.Parameters();

    public void UseGenerator(Generator? generator) => Head.UseGenerator(generator);

    public Generator? Generator => Head.Generator;
}

/// <summary>
/// Classification pre-training: a backbone with its linear classifier; the output's fused scores are the logits (one per
/// label), which <c>MultiLabelSoftMarginLoss</c> trains. One parameter group, "backbone".
/// </summary>
public sealed class ClassifierModel : ITrainable
{
    public Vision.Backbone Backbone { get; }

    public ClassifierModel(Vision.Backbone backbone)
    {
        if (backbone.NumClasses == 0)
            throw new ArgumentException($"backbone: {backbone.GetType().Name} has no classifier (NumClasses = 0) to pre-train");
        Backbone = backbone;
    }

    public Module Module => Backbone;

    public int LabelCount => Backbone.NumClasses;

    public HeadOutput Forward(Tensor input)
    {
        var logits = Backbone.Forward(input);
        return new HeadOutput(logits, logits);
    }

    public IReadOnlyList<ParameterGroup> OptimizedGroups() => [new("backbone", Backbone.Parameters().ToList())];

    public IEnumerable<Tensor> ClippedParameters() => Backbone.Parameters();

    public void UseGenerator(Generator? generator) => Backbone.UseGenerator(generator);

    public Generator? Generator => Backbone.Generator;
}
