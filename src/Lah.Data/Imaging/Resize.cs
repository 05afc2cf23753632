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

    public static unsafe RgbImage Apply(RgbImage src, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"target {width}x{height}");
        if (width == src.Width && height == src.Height) return new RgbImage(width, height, (byte[])src.Pixels.Clone());
        var dst = new RgbImage(width, height);
        fixed (byte* sp = src.Pixels)
        fixed (byte* dp = dst.Pixels)
            Into(sp, src.Width * 3, new CropBox(0, 0, src.Width, src.Height), dp, width, height);
        return dst;
    }

    /// <summary>
    /// Resizes the <paramref name="box"/> of an image whose rows start <paramref name="stride"/> bytes apart into
    /// <paramref name="dst"/> (<paramref name="width"/> × <paramref name="height"/>, rows packed): the same pixels as
    /// cropping first and resizing the crop, without the crop's copy.
    /// </summary>
    internal static unsafe void Into(byte* src, int stride, CropBox box, byte* dst, int width, int height)
    {
        var tx = ComputeTaps(box.Width, width);
        var ty = ComputeTaps(box.Height, height);
        // Horizontal pass only over the input rows some output row needs.
        int y0 = ty.Start[0], y1 = ty.Start[height - 1] + ty.Count[height - 1];
        var rowLen = width * 3;
        // Pooled: the intermediate is megabytes, and fresh large-object allocations per image cost GC time.
        var mid = System.Buffers.ArrayPool<float>.Shared.Rent((y1 - y0) * rowLen);
        var acc = System.Buffers.ArrayPool<float>.Shared.Rent(rowLen);
        var origin = src + (long)box.Y * stride + box.X * 3;
        fixed (float* mp = mid)
        fixed (float* wx = tx.Weights)
        fixed (int* startX = tx.Start, countX = tx.Count)
        {
            for (var y = y0; y < y1; y++)
            {
                var rowIn = origin + (long)y * stride;
                var o = mp + (y - y0) * rowLen;
                for (var x = 0; x < width; x++, o += 3)
                {
                    float r = 0, g = 0, b = 0;
                    var w = wx + x * tx.MaxCount;
                    var p = rowIn + startX[x] * 3;
                    for (int k = 0, n = countX[x]; k < n; k++, p += 3)
                    {
                        var wk = w[k];
                        r += p[0] * wk;
                        g += p[1] * wk;
                        b += p[2] * wk;
                    }
                    o[0] = r;
                    o[1] = g;
                    o[2] = b;
                }
            }
            // Vertical pass: whole rows at a time, so it vectorises.
            var vec = System.Numerics.Vector<float>.Count;
            fixed (float* ap = acc)
            {
                for (var y = 0; y < height; y++)
                {
                    var wo = y * ty.MaxCount;
                    for (var k = 0; k < ty.Count[y]; k++)
                    {
                        var w = new System.Numerics.Vector<float>(ty.Weights[wo + k]);
                        var wk = ty.Weights[wo + k];
                        var m = mp + (ty.Start[y] + k - y0) * rowLen;
                        var i = 0;
                        if (k == 0)
                        {
                            for (; i <= rowLen - vec; i += vec)
                                System.Numerics.Vector.Store(System.Numerics.Vector.Load(m + i) * w, ap + i);
                            for (; i < rowLen; i++) ap[i] = m[i] * wk;
                        }
                        else
                        {
                            for (; i <= rowLen - vec; i += vec)
                                System.Numerics.Vector.Store(System.Numerics.Vector.Load(ap + i) + System.Numerics.Vector.Load(m + i) * w, ap + i);
                            for (; i < rowLen; i++) ap[i] += m[i] * wk;
                        }
                    }
                    var d = dst + y * rowLen;
                    for (var i = 0; i < rowLen; i++) d[i] = ClampByte(ap[i]);
                }
            }
        }
        System.Buffers.ArrayPool<float>.Shared.Return(mid);
        System.Buffers.ArrayPool<float>.Shared.Return(acc);
    }

    internal static byte ClampByte(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);
}
