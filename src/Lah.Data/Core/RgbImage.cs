namespace Lah.Data;

/// <summary>An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC).</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} must be positive");
        Width = width;
        Height = height;
        Pixels = pixels ?? new byte[checked(width * height * 3)];
        if (Pixels.Length != width * height * 3)
            throw new ArgumentException($"{Pixels.Length} bytes for a {width}x{height} RGB image (expected {width * height * 3})");
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public int Offset(int x, int y) => (y * Width + x) * 3;

    /// <summary>The sub-image [x, x+w) × [y, y+h); the rectangle must lie inside the image.</summary>
    public RgbImage Crop(int x, int y, int w, int h)
    {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > Width || y + h > Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"crop ({x},{y},{w},{h}) outside {Width}x{Height}");
        var o = new RgbImage(w, h);
        for (var r = 0; r < h; r++)
            Buffer.BlockCopy(Pixels, Offset(x, y + r), o.Pixels, r * w * 3, w * 3);
        return o;
    }

    public RgbImage FlipHorizontal()
    {
        var o = new RgbImage(Width, Height);
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                int s = Offset(x, y), d = Offset(Width - 1 - x, y);
                o.Pixels[d] = Pixels[s];
                o.Pixels[d + 1] = Pixels[s + 1];
                o.Pixels[d + 2] = Pixels[s + 2];
            }
        return o;
    }
}
