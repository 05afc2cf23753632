namespace Lah.Data;

/// <summary>
/// Bilinear resize, antialiased when shrinking: the triangle kernel is widened by the shrink factor so every
/// input pixel contributes (the behaviour of PIL's BILINEAR resize). Separable, float accumulation, one rounding.
/// </summary>
public static class Resize
{
    /// <summary>Kernel weights of one axis: for output i, inputs [Start[i], Start[i]+Count[i]) with normalised weights.</summary>
    public sealed record Taps(int[] Start, int[] Count, int MaxCount, float[] Weights);

    /// <summary>The triangle kernel's taps for resizing <paramref name="inSize"/> to <paramref name="outSize"/>.</summary>
    public static Taps ComputeTaps(int inSize, int outSize)
    {
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterScale; // bilinear support is 1 input pixel, widened when shrinking
        var max = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize * max];
        var tmp = new double[max];
        for (var i = 0; i < outSize; i++)
        {
            var center = (i + 0.5) * scale;
            var lo = Math.Max((int)(center - support + 0.5), 0);
            var hi = Math.Min((int)(center + support + 0.5), inSize);
            var n = hi - lo;
            var sum = 0.0;
            for (var k = 0; k < n; k++)
            {
                var w = Triangle((lo + k - center + 0.5) / filterScale);
                tmp[k] = w;
                sum += w;
            }
            for (var k = 0; k < n; k++) weights[i * max + k] = (float)(sum == 0 ? 0 : tmp[k] / sum);
            start[i] = lo;
            count[i] = n;
        }
        return new Taps(start, count, max, weights);
    }

    public static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    public static RgbImage Apply(RgbImage src, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"target {width}x{height}");
        if (width == src.Width && height == src.Height) return new RgbImage(width, height, (byte[])src.Pixels.Clone());
        var tx = ComputeTaps(src.Width, width);
        var ty = ComputeTaps(src.Height, height);
        // Horizontal pass only over the input rows some output row needs.
        int y0 = ty.Start[0], y1 = ty.Start[height - 1] + ty.Count[height - 1];
        var mid = new float[(y1 - y0) * width * 3];
        var sp = src.Pixels;
        for (var y = y0; y < y1; y++)
        {
            var rowIn = y * src.Width * 3;
            var rowOut = (y - y0) * width * 3;
            for (var x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0;
                var wo = x * tx.MaxCount;
                var p = rowIn + tx.Start[x] * 3;
                for (var k = 0; k < tx.Count[x]; k++, p += 3)
                {
                    var w = tx.Weights[wo + k];
                    r += sp[p] * w;
                    g += sp[p + 1] * w;
                    b += sp[p + 2] * w;
                }
                var o = rowOut + x * 3;
                mid[o] = r;
                mid[o + 1] = g;
                mid[o + 2] = b;
            }
        }
        var dst = new RgbImage(width, height);
        var dp = dst.Pixels;
        var rowLen = width * 3;
        var acc = new float[rowLen];
        for (var y = 0; y < height; y++)
        {
            Array.Clear(acc);
            var wo = y * ty.MaxCount;
            for (var k = 0; k < ty.Count[y]; k++)
            {
                var w = ty.Weights[wo + k];
                var m = (ty.Start[y] + k - y0) * rowLen;
                var accSpan = acc.AsSpan();
                var midSpan = mid.AsSpan(m, rowLen);
                for (var i = 0; i < rowLen; i++) accSpan[i] += midSpan[i] * w;
            }
            var o = y * rowLen;
            for (var i = 0; i < rowLen; i++) dp[o + i] = ClampByte(acc[i]);
        }
        return dst;
    }

    internal static byte ClampByte(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);
}
