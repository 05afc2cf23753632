using Lah.Hashing.Config;

namespace Lah.Hashing.Models;

/// <summary>The head a configuration asks for: LAH, or DCH when <see cref="WordEmbedding.None"/> removes the label branch.</summary>
public static class HashHeads
{
    public static IHashHead Create(LahConfig config, float[]? wordVectors, ReadOnlySpan<double> nums,
        ReadOnlySpan<double> cooccurrence)
    {
        config.Validate();
        return config.WordEmbedding == WordEmbedding.None
            ? new DchModel(config.ImageDim, config.LabelCount, config.HashBits, config.TanhInTraining)
            : LahModel.FromCooccurrence(config, wordVectors, nums, cooccurrence);
    }
}
