namespace Lah.Data;

/// <summary>How <see cref="DatasetRenderer"/> renders a dataset.</summary>
public sealed record RenderOptions
{
    /// <summary>The side of every (square) image in pixels; scenes are drawn at this size, not resized.</summary>
    public int Size { get; init; } = 32;

    /// <summary>Images per part (the first of each part; null: the whole part). <see cref="PartCounts"/> overrides it per part.</summary>
    public int? Count { get; init; }

    /// <summary>Images per part by part name (<see cref="DatasetRenderer.PartNames"/>), e.g. trainval 2,000 and test 500.</summary>
    public IReadOnlyDictionary<string, int>? PartCounts { get; init; }

    /// <summary>The scenes' seed (the quick recipe's data seed is 1).</summary>
    public ulong Seed { get; init; } = 1;

    public SceneDifficulty Difficulty { get; init; } = SceneDifficulty.Default;

    /// <summary>
    /// JPEG quality. Chroma is not subsampled: at 32 px a 4:2:0 chroma block is a quarter of a glyph, and the glyphs'
    /// colours are half of what tells labels apart.
    /// </summary>
    public int Quality { get; init; } = 95;

    /// <summary>The folder of the dataset's LAH label files whose rows drive the scenes (default: <see cref="DataPaths.LahLabelDirectory"/>).</summary>
    public string? LabelDir { get; init; }

    /// <summary>How many of a part's <paramref name="available"/> images to render.</summary>
    public int CountOf(string part, int available)
    {
        var n = PartCounts is not null && PartCounts.TryGetValue(part, out var c) ? c : Count ?? available;
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(part), $"count of {part}: {n}, expected ≥ 0");
        return Math.Min(n, available);
    }

    public void Validate()
    {
        if (Size is < 8 or > 4096) throw new ArgumentOutOfRangeException(nameof(Size), $"image size {Size}: expected 8..4096 pixels");
        if (Count is < 1) throw new ArgumentOutOfRangeException(nameof(Count), $"count {Count}: expected ≥ 1");
        if (Quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(Quality), $"JPEG quality {Quality}: expected 1..100");
    }
}

/// <summary>One part of a rendered dataset and how many images it got.</summary>
public sealed record RenderedPart(string Part, int Images);

/// <summary>What <see cref="DatasetRenderer.Render"/> wrote: the dataset's folder, images per part, files and bytes.</summary>
public sealed record RenderSummary(string Dataset, string Folder, IReadOnlyList<RenderedPart> Parts, int Files, long Bytes)
{
    public int Images => Parts.Sum(p => p.Images);
}
