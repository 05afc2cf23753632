using Lah.Hashing.Config;
using Lah.Torch;

namespace Lah.Hashing.Models;

/// <summary>The head a configuration asks for: LAH, or DCH when <see cref="WordEmbedding.None"/> removes the label branch.</summary>
public static class HashHeads
{
    /// <summary>The head for <paramref name="config"/>, its initial weights drawn from <paramref name="generator"/> (null: the global one).</summary>
    public static IHashHead Create(LahConfig config, float[]? wordVectors, ReadOnlySpan<double> nums,
        ReadOnlySpan<double> cooccurrence, Generator? generator = null)
    {
        config.Validate();
        return config.Head.Embedding == WordEmbedding.None
            ? new DchModel(config.ImageDim, config.LabelCount, config.HashBits, config.TanhInTraining, generator)
            : LahModel.FromCooccurrence(config, wordVectors, nums, cooccurrence, generator);
    }
}
