namespace Lah.Data;

/// <summary>
/// The official training crop (ML-GCN/LAH util.py, after TSN): crop sides are int(min(w,h)·scale) for each scale,
/// a side within 3 px of the target snaps to it, (width, height) come from scale indices i, j with |i−j| ≤ max
/// distortion, the offset is one of 13 fixed positions on a 4×4 grid, and the crop is resized bilinearly.
/// </summary>
public sealed class MultiScaleCrop(int size = 448, double[]? scales = null, int maxDistort = 2)
{
    public int Size { get; } = size;
    public double[] Scales { get; } = scales ?? [1.0, 0.875, 0.75, 0.66, 0.5];
    public int MaxDistort { get; } = maxDistort;

    /// <summary>Every (crop width, crop height) pair the sampler may choose, in order.</summary>
    public List<(int W, int H)> CropPairs(int imageW, int imageH)
    {
        var baseSize = Math.Min(imageW, imageH);
        var sizes = Scales.Select(s => (int)(baseSize * s)).ToArray();
        var snapped = sizes.Select(x => Math.Abs(x - Size) < 3 ? Size : x).ToArray();
        var pairs = new List<(int, int)>();
        for (var i = 0; i < snapped.Length; i++)
            for (var j = 0; j < snapped.Length; j++)
                if (Math.Abs(i - j) <= MaxDistort) pairs.Add((snapped[j], snapped[i]));
        return pairs;
    }

    /// <summary>The 13 fixed offsets: corners, centre, edge centres, and the four quarter points.</summary>
    public static List<(int X, int Y)> FixedOffsets(int imageW, int imageH, int cropW, int cropH)
    {
        int ws = (imageW - cropW) / 4, hs = (imageH - cropH) / 4;
        return
        [
            (0, 0), (4 * ws, 0), (0, 4 * hs), (4 * ws, 4 * hs), (2 * ws, 2 * hs),
            (0, 2 * hs), (4 * ws, 2 * hs), (2 * ws, 4 * hs), (2 * ws, 0),
            (ws, hs), (3 * ws, hs), (ws, 3 * hs), (3 * ws, 3 * hs),
        ];
    }

    public CropBox Sample(int imageW, int imageH, Rng rng)
    {
        var pairs = CropPairs(imageW, imageH);
        var (w, h) = pairs[rng.NextInt(pairs.Count)];
        // A snapped side can exceed a small image; clamp so the crop stays inside (the original would fail there).
        w = Math.Min(w, imageW);
        h = Math.Min(h, imageH);
        var offsets = FixedOffsets(imageW, imageH, w, h);
        var (x, y) = offsets[rng.NextInt(offsets.Count)];
        return new CropBox(x, y, w, h);
    }

    public RgbImage Apply(RgbImage image, Rng rng)
    {
        var b = Sample(image.Width, image.Height, rng);
        return Resize.Apply(image.Crop(b.X, b.Y, b.Width, b.Height), Size, Size);
    }
}
