namespace Lah.Data;

/// <summary>
/// How hard <see cref="SyntheticScenes"/> are to classify. <see cref="Default"/> is the original rendering (pixels
/// pinned by tests); the extra knobs draw nothing and consume no randomness at their defaults, so the default pixels
/// never change. Radii are fractions of the image side.
/// </summary>
public sealed record SceneDifficulty
{
    public static readonly SceneDifficulty Default = new();

    /// <summary>Radius range of a positive label's glyph.</summary>
    public double GlyphMinRadius { get; init; } = 0.09;
    public double GlyphMaxRadius { get; init; } = 0.2;
    /// <summary>Background noise amplitude (± grey levels per pixel).</summary>
    public int Noise { get; init; } = 12;
    /// <summary>Grey clutter shapes per image (inclusive range) and grey lines per image (inclusive range).</summary>
    public int MinClutter { get; init; } = 1;
    public int MaxClutter { get; init; } = 4;
    public int MinLines { get; init; } = 2;
    public int MaxLines { get; init; } = 6;
    /// <summary>± per-channel colour jitter of each glyph (0: exact palette colours).</summary>
    public int ColourJitter { get; init; }
    /// <summary>Grey rectangles drawn over the scene after the glyphs (inclusive range), each up to <see cref="OccluderMaxSize"/> of the side.</summary>
    public int MinOccluders { get; init; }
    public int MaxOccluders { get; init; }
    public double OccluderMaxSize { get; init; } = 0.3;
    /// <summary>
    /// Decoys per image (inclusive range): a label's shape in a colour off the palette (a mixed hue), so shape alone or
    /// colour alone does not name the label.
    /// </summary>
    public int MinDecoys { get; init; }
    public int MaxDecoys { get; init; }

    public void Validate()
    {
        if (!(GlyphMinRadius > 0 && GlyphMinRadius <= GlyphMaxRadius && GlyphMaxRadius < 0.5))
            throw new ArgumentException($"SceneDifficulty.GlyphMinRadius/GlyphMaxRadius: expected 0 < min ≤ max < 0.5, got {GlyphMinRadius}, {GlyphMaxRadius}");
        if (Noise < 0 || ColourJitter < 0) throw new ArgumentException($"SceneDifficulty.Noise/ColourJitter: expected ≥ 0, got {Noise}, {ColourJitter}");
        if (MinClutter < 0 || MaxClutter < MinClutter || MinLines < 0 || MaxLines < MinLines || MinOccluders < 0 ||
            MaxOccluders < MinOccluders || MinDecoys < 0 || MaxDecoys < MinDecoys)
            throw new ArgumentException("SceneDifficulty: expected 0 ≤ min ≤ max for clutter, lines, occluders and decoys");
        if (!(OccluderMaxSize > 0 && OccluderMaxSize <= 1))
            throw new ArgumentException($"SceneDifficulty.OccluderMaxSize: expected a fraction in (0, 1], got {OccluderMaxSize}");
    }

    /// <summary>The settings as text (for cache and experiment keys).</summary>
    public override string ToString() =>
        $"r{GlyphMinRadius:R}-{GlyphMaxRadius:R}/n{Noise}/c{MinClutter}-{MaxClutter}/l{MinLines}-{MaxLines}/j{ColourJitter}/o{MinOccluders}-{MaxOccluders}x{OccluderMaxSize:R}/d{MinDecoys}-{MaxDecoys}";
}
