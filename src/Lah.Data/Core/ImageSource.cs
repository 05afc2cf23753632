namespace Lah.Data;

/// <summary>Where an item's pixels come from: a JPEG file or pixels rendered in memory (embedded datasets).</summary>
public abstract record ImageSource
{
    /// <summary>
    /// Loads the image. A hint (the size the caller will resize to) lets JPEG decoding scale down by M/8 while
    /// staying at least that large; other sources ignore it.
    /// </summary>
    public abstract RgbImage Load(int minWidth = 0, int minHeight = 0);

    /// <summary>
    /// The pixels <see cref="Load"/> gives, where a source can into <paramref name="scratch"/>'s buffers (valid until the
    /// thread's next load) instead of a new image.
    /// </summary>
    internal virtual PixelRegion LoadInto(PixelScratch scratch, int minWidth, int minHeight)
    {
        var image = Load(minWidth, minHeight);
        return new PixelRegion(image.Pixels, image.Width, image.Height);
    }
}
