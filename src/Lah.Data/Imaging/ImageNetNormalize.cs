namespace Lah.Data;

/// <summary>ToTensor + Normalize: 8-bit HWC RGB → float CHW, (x/255 − mean) / std per channel.</summary>
public static class ImageNetNormalize
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public static float[] ToChw(RgbImage image, float[]? mean = null, float[]? std = null)
    {
        var dst = new float[3 * image.Width * image.Height];
        ToChw(image, dst, mean, std);
        return dst;
    }

    /// <summary>Writes into <paramref name="dst"/> (3·H·W floats), e.g. a slot of a batch buffer.</summary>
    public static unsafe void ToChw(RgbImage image, Span<float> dst, float[]? mean = null, float[]? std = null)
    {
        fixed (byte* px = image.Pixels) ToChw(px, image.Width * 3, image.Width, image.Height, flip: false, dst, mean, std);
    }

    /// <summary>
    /// The <paramref name="width"/> × <paramref name="height"/> pixels at <paramref name="px"/>, rows
    /// <paramref name="stride"/> bytes apart, into <paramref name="dst"/>; <paramref name="flip"/> mirrors each row
    /// (the values of normalising the horizontally flipped image, without its copy).
    /// </summary>
    internal static unsafe void ToChw(byte* px, int stride, int width, int height, bool flip, Span<float> dst, float[]? mean = null,
        float[]? std = null)
    {
        mean ??= Mean;
        std ??= Std;
        var plane = width * height;
        if (dst.Length != 3 * plane) throw new ArgumentException($"destination has {dst.Length} floats, expected {3 * plane}");
        // A 256-entry table per channel: no int→float conversion per pixel, and one store stream at a time
        // (three interleaved streams a multiple of 4 KiB apart stall on address aliasing).
        var lut = stackalloc float[256];
        fixed (float* d = dst)
        {
            for (var c = 0; c < 3; c++)
            {
                var a = 1f / (255f * std[c]);
                var b = -mean[c] / std[c];
                for (var v = 0; v < 256; v++) lut[v] = v * a + b;
                for (var y = 0; y < height; y++)
                {
                    var p = px + (long)y * stride + c;
                    var o = d + c * plane + y * width;
                    if (flip)
                        for (var x = width - 1; x >= 0; x--, p += 3) o[x] = lut[*p];
                    else
                        for (var x = 0; x < width; x++, p += 3) o[x] = lut[*p];
                }
            }
        }
    }
}
