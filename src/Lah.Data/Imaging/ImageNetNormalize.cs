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
        mean ??= Mean;
        std ??= Std;
        var plane = image.Width * image.Height;
        if (dst.Length != 3 * plane) throw new ArgumentException($"destination has {dst.Length} floats, expected {3 * plane}");
        // A 256-entry table per channel: no int→float conversion per pixel, and one store stream at a time
        // (three interleaved streams a multiple of 4 KiB apart stall on address aliasing).
        var lut = stackalloc float[256];
        fixed (byte* px = image.Pixels)
        fixed (float* d = dst)
        {
            for (var c = 0; c < 3; c++)
            {
                var a = 1f / (255f * std[c]);
                var b = -mean[c] / std[c];
                for (var v = 0; v < 256; v++) lut[v] = v * a + b;
                var o = d + c * plane;
                var p = px + c;
                for (var i = 0; i < plane; i++, p += 3) o[i] = lut[*p];
            }
        }
    }
}
