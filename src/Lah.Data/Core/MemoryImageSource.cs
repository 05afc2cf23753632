namespace Lah.Data;

/// <summary>Pixels produced in memory (embedded datasets render on demand, deterministically).</summary>
public sealed record MemoryImageSource(Func<RgbImage> Render) : ImageSource
{
    public override RgbImage Load(int minWidth = 0, int minHeight = 0) => Render();
}
