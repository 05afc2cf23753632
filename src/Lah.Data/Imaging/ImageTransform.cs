namespace Lah.Data;

/// <summary>
/// The image pipelines of training and evaluation, image source → normalised CHW floats. Randomness comes only from
/// the <see cref="Rng"/> passed in, so the loader can make it depend on (seed, epoch, item) alone.
/// </summary>
public sealed class ImageTransform
{
    private readonly Func<RgbImage, Rng, RgbImage> _geometry;
    private readonly bool _flip;

    private ImageTransform(string name, int size, Func<RgbImage, Rng, RgbImage> geometry, bool flip, int decodeHint)
    {
        Name = name;
        Size = size;
        _geometry = geometry;
        _flip = flip;
        DecodeHint = decodeHint;
    }

    public string Name { get; }
    public int Size { get; }

    /// <summary>The size JPEG decoding may scale down to (0 = full size, needed when crops are taken).</summary>
    public int DecodeHint { get; }

    public int OutputLength => 3 * Size * Size;

    /// <summary>Official training: MultiScaleCrop(size, (1,.875,.75,.66,.5), max_distort 2) → random flip → normalise.</summary>
    public static ImageTransform OfficialTrain(int size = 448)
    {
        var msc = new MultiScaleCrop(size);
        return new ImageTransform("multiscale-crop", size, msc.Apply, flip: true, decodeHint: 0);
    }

    /// <summary>
    /// Official evaluation: Warp — resize to size × size ignoring aspect — → normalise. With
    /// <paramref name="scaledDecode"/> a large JPEG is decoded at a reduced M/8 scale that still covers the target
    /// (faster; pixels differ slightly from a full decode, which the official PIL pipeline does).
    /// </summary>
    public static ImageTransform Warp(int size = 448, bool scaledDecode = true) =>
        new("warp", size, (im, _) => Resize.Apply(im, size, size), flip: false, decodeHint: scaledDecode ? size : 0);

    /// <summary>
    /// Warp to size × size → random horizontal flip → normalise: light augmentation for small synthetic scenes, where a
    /// random crop could cut a label's glyph out of the image.
    /// </summary>
    public static ImageTransform WarpFlip(int size) =>
        new("warp-flip", size, (im, _) => im.Width == size && im.Height == size ? im : Resize.Apply(im, size, size), flip: true,
            decodeHint: size);

    /// <summary>RandomResizedCrop(size) → random flip → normalise.</summary>
    public static ImageTransform RandomResized(int size = 448)
    {
        var rrc = new RandomResizedCrop(size);
        return new ImageTransform("random-resized-crop", size, rrc.Apply, flip: true, decodeHint: 0);
    }

    public RgbImage ApplyPixels(RgbImage image, Rng rng)
    {
        var o = _geometry(image, rng);
        if (_flip && rng.NextInt(2) == 1) o = o.FlipHorizontal();
        return o;
    }

    public void Apply(ImageSource source, Rng rng, Span<float> dst) =>
        ImageNetNormalize.ToChw(ApplyPixels(source.Load(DecodeHint, DecodeHint), rng), dst);
}
