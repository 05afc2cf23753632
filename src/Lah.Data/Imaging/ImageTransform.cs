namespace Lah.Data;

/// <summary>
/// The image pipelines of training and evaluation, image source → normalised CHW floats: a crop box (the whole
/// image, or a random crop) resized to Size × Size, an optional random horizontal flip, ImageNet normalisation.
/// Randomness comes only from the <see cref="Rng"/> passed in, so the loader can make it depend on (seed, epoch, item) alone.
/// </summary>
public sealed class ImageTransform
{
    private readonly Func<int, int, Rng, CropBox> _box;
    private readonly bool _flip;

    private ImageTransform(string name, int size, Func<int, int, Rng, CropBox> box, bool flip, int decodeHint)
    {
        Name = name;
        Size = size;
        _box = box;
        _flip = flip;
        DecodeHint = decodeHint;
    }

    public string Name { get; }
    public int Size { get; }

    /// <summary>The size JPEG decoding may scale down to (0 = full size, needed when crops are taken).</summary>
    public int DecodeHint { get; }

    public int OutputLength => 3 * Size * Size;

    private static CropBox Whole(int width, int height, Rng _) => new(0, 0, width, height);

    /// <summary>Official training: MultiScaleCrop(size, (1,.875,.75,.66,.5), max_distort 2) → random flip → normalise.</summary>
    public static ImageTransform OfficialTrain(int size = 448) =>
        new("multiscale-crop", size, new MultiScaleCrop(size).Sample, flip: true, decodeHint: 0);

    /// <summary>
    /// Official evaluation: Warp — resize to size × size ignoring aspect — → normalise. With
    /// <paramref name="scaledDecode"/> a large JPEG is decoded at a reduced M/8 scale that still covers the target
    /// (faster; pixels differ slightly from a full decode, which the official PIL pipeline does).
    /// </summary>
    public static ImageTransform Warp(int size = 448, bool scaledDecode = true) =>
        new("warp", size, Whole, flip: false, decodeHint: scaledDecode ? size : 0);

    /// <summary>
    /// Warp to size × size → random horizontal flip → normalise: light augmentation for small synthetic scenes, where a
    /// random crop could cut a label's glyph out of the image.
    /// </summary>
    public static ImageTransform WarpFlip(int size) => new("warp-flip", size, Whole, flip: true, decodeHint: size);

    /// <summary>RandomResizedCrop(size) → random flip → normalise.</summary>
    public static ImageTransform RandomResized(int size = 448) =>
        new("random-resized-crop", size, new RandomResizedCrop(size).Sample, flip: true, decodeHint: 0);

    /// <summary>The transformed image as pixels, step by step (crop, resize, flip): what <see cref="Apply"/> normalises.</summary>
    public RgbImage ApplyPixels(RgbImage image, Rng rng)
    {
        var b = _box(image.Width, image.Height, rng);
        var cropped = b == new CropBox(0, 0, image.Width, image.Height) ? image : image.Crop(b.X, b.Y, b.Width, b.Height);
        var o = Resize.Apply(cropped, Size, Size);
        if (_flip && rng.NextInt(2) == 1) o = o.FlipHorizontal();
        return o;
    }

    /// <summary>
    /// Loads, transforms and normalises into <paramref name="dst"/>: the values of normalising
    /// <see cref="ApplyPixels"/>, bit for bit, but through the thread's reused buffers, with the crop read in place
    /// and the flip done while normalising, so a loader thread allocates no image per item.
    /// </summary>
    public unsafe void Apply(ImageSource source, Rng rng, Span<float> dst)
    {
        if (dst.Length != OutputLength) throw new ArgumentException($"destination has {dst.Length} floats, expected {OutputLength}");
        var scratch = PixelScratch.Current;
        var (pixels, w, h) = source.LoadInto(scratch, DecodeHint, DecodeHint);
        var b = _box(w, h, rng);
        var flip = _flip && rng.NextInt(2) == 1;
        fixed (byte* src = pixels)
        {
            if (b.Width == Size && b.Height == Size) // nothing to resize: normalise the box where it lies
            {
                ImageNetNormalize.ToChw(src + ((long)b.Y * w + b.X) * 3, w * 3, Size, Size, flip, dst);
                return;
            }
            var resized = PixelScratch.Ensure(ref scratch.Resized, OutputLength);
            fixed (byte* r = resized)
            {
                Resize.Into(src, w * 3, b, r, Size, Size);
                ImageNetNormalize.ToChw(r, Size * 3, Size, Size, flip, dst);
            }
        }
    }
}
