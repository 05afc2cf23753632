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
        float a0 = 1f / (255f * std[0]), a1 = 1f / (255f * std[1]), a2 = 1f / (255f * std[2]);
        float b0 = -mean[0] / std[0], b1 = -mean[1] / std[1], b2 = -mean[2] / std[2];
        fixed (byte* px = image.Pixels)
        fixed (float* d = dst)
        {
            float* r = d, g = d + plane, b = d + 2 * plane;
            var p = px;
            for (var i = 0; i < plane; i++, p += 3)
            {
                r[i] = p[0] * a0 + b0;
                g[i] = p[1] * a1 + b1;
                b[i] = p[2] * a2 + b2;
            }
        }
    }
}
