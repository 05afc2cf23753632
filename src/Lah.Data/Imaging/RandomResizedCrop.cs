namespace Lah.Data;

/// <summary>
/// Inception-style random crop: area fraction in <see cref="ScaleMin"/>..<see cref="ScaleMax"/>, log-uniform aspect
/// ratio, 10 attempts, then a centre crop clamped to the ratio range; resized bilinearly to Size².
/// </summary>
public sealed class RandomResizedCrop(int size, double scaleMin = 0.08, double scaleMax = 1.0, double ratioMin = 3.0 / 4, double ratioMax = 4.0 / 3)
{
    public int Size { get; } = size;
    public double ScaleMin { get; } = scaleMin;
    public double ScaleMax { get; } = scaleMax;

    public CropBox Sample(int w, int h, Rng rng)
    {
        var area = (double)w * h;
        double logLo = Math.Log(ratioMin), logHi = Math.Log(ratioMax);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var target = area * rng.Uniform(ScaleMin, ScaleMax);
            var ratio = Math.Exp(rng.Uniform(logLo, logHi));
            var cw = (int)Math.Round(Math.Sqrt(target * ratio));
            var ch = (int)Math.Round(Math.Sqrt(target / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h)
                return new CropBox(rng.NextInt(0, w - cw), rng.NextInt(0, h - ch), cw, ch);
        }
        var inRatio = (double)w / h;
        int fw = w, fh = h;
        if (inRatio < ratioMin) fh = (int)Math.Round(w / ratioMin);
        else if (inRatio > ratioMax) fw = (int)Math.Round(h * ratioMax);
        return new CropBox((w - fw) / 2, (h - fh) / 2, fw, fh);
    }

    public RgbImage Apply(RgbImage image, Rng rng)
    {
        var b = Sample(image.Width, image.Height, rng);
        return Resize.Apply(image.Crop(b.X, b.Y, b.Width, b.Height), Size, Size);
    }
}
