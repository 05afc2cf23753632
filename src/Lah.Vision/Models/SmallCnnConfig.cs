namespace Lah.Vision.Models;

/// <summary>
/// The small CNN's arguments: one stage per width (3×3 conv → BN → ReLU, then 2×2 max pooling except after the last),
/// so the feature stride is 2^(stages − 1).
/// </summary>
public sealed record SmallCnnConfig
{
    public IReadOnlyList<int> Widths { get; init; } = [32, 64, 128];
    public int NumClasses { get; init; }
    public GlobalPooling Pooling { get; init; } = GlobalPooling.Max;

    public void Validate()
    {
        if (Widths.Count == 0 || Widths.Any(w => w <= 0))
            throw new ArgumentException($"SmallCnnConfig.Widths: expected one or more positive widths, got [{string.Join(", ", Widths)}]");
        if (NumClasses < 0) throw new ArgumentException($"SmallCnnConfig.NumClasses: expected ≥ 0, got {NumClasses}");
    }
}
