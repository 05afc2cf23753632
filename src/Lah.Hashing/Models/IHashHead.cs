using Lah.Torch;

namespace Lah.Hashing.Models;

/// <summary>
/// A hash head over pooled image features (B×D in, relaxed codes B×K out). The feature-mode trainer and the
/// end-to-end trainer drive any head through this; a backbone's pooled output plugs straight in.
/// </summary>
public interface IHashHead : IDisposable
{
    int FeatureDim { get; }
    int LabelCount { get; }
    int HashBits { get; }

    /// <summary>Fusion output and relaxed codes (tanh unless configured off in training).</summary>
    HeadOutput ForwardHead(Tensor features);

    /// <summary>±1 codes (sign with 0 ↦ −1) in evaluation mode, without gradient.</summary>
    Tensor Encode(Tensor features);

    /// <summary>The parameters the optimizer updates, by group; frozen parameters are left out.</summary>
    IReadOnlyList<ParameterGroup> OptimizedGroups();

    /// <summary>Every parameter, frozen ones included (gradient clipping runs over all of them, as the official code).</summary>
    IEnumerable<Tensor> Parameters();

    void Train(bool training = true);

    /// <summary>The generator training-mode draws (dropout) come from; null: the global generator.</summary>
    Generator? Generator { get; }

    /// <summary>Sets <see cref="Generator"/> (borrowed: keep it alive while training); trainers pass their own.</summary>
    void UseGenerator(Generator? generator);
}
