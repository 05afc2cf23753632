using System.Diagnostics.CodeAnalysis;

namespace Lah.Data;

/// <summary>
/// JPEG decoding through TurboJPEG. Grayscale comes out as RGB; CMYK/YCCK is decoded to CMYK and converted
/// naively (R = (255-C)(255-K)/255, …), since TurboJPEG leaves colour management to the caller. As in PIL, a file
/// with an Adobe APP14 marker (Photoshop, PIL) is taken to store inverted CMYK.
/// </summary>
public static unsafe class JpegDecoder
{
    [ThreadStatic] private static DecompressHandle? _handle;

    /// <summary>Header facts without decoding: size, chroma subsampling and TurboJPEG colourspace (TJCS_*).</summary>
    public readonly record struct JpegInfo(int Width, int Height, int Subsampling, int Colorspace);

    public static RgbImage DecodeFile(string path, int minWidth = 0, int minHeight = 0)
    {
        RequireFile(path);
        return Decode(File.ReadAllBytes(path), path, minWidth, minHeight);
    }

    /// <summary><see cref="DecodeFile"/> into the thread's scratch buffers.</summary>
    internal static PixelRegion DecodeFileInto(string path, int minWidth, int minHeight, PixelScratch scratch)
    {
        RequireFile(path);
        var (w, h) = DecodeInto(scratch.ReadFile(path), path, minWidth, minHeight, ref scratch.Decoded);
        return new PixelRegion(scratch.Decoded, w, h);
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image not found: {path}", path);
    }

    public static JpegInfo ReadInfo(byte[] jpeg, string name) => ReadInfo(jpeg.AsSpan(), name);

    /// <summary>Header facts from the start of a file: the bytes up to the frame header (SOF) suffice.</summary>
    public static JpegInfo ReadInfo(ReadOnlySpan<byte> jpeg, string name)
    {
        var h = Handle();
        fixed (byte* p = jpeg)
        {
            if (TurboJpegNative.tjDecompressHeader3(h, p, (nuint)jpeg.Length, out var w, out var ht, out var ss, out var cs) != 0)
                throw Failed($"{name}: not a readable JPEG ({TurboJpegNative.ErrorString(h)})");
            // TurboJPEG reports success with a 0×0 size for a file whose markers end before any frame header.
            if (w <= 0 || ht <= 0)
                throw Failed($"{name}: not a readable JPEG (no frame header: size {w}×{ht})");
            return new JpegInfo(w, ht, ss, cs);
        }
    }

    /// <summary>
    /// Decodes <paramref name="jpeg"/>, scaling down by the smallest M/8 that keeps the result at least
    /// <paramref name="minWidth"/> × <paramref name="minHeight"/> (no scaling when either is 0).
    /// Any libjpeg warning (truncated or corrupt data) is an error naming <paramref name="name"/>.
    /// </summary>
    public static RgbImage Decode(byte[] jpeg, string name, int minWidth = 0, int minHeight = 0)
    {
        byte[]? pixels = null;
        var (w, h) = DecodeInto(jpeg, name, minWidth, minHeight, ref pixels, exact: true);
        return new RgbImage(w, h, pixels);
    }

    /// <summary>
    /// <see cref="Decode(byte[], string, int, int)"/> into <paramref name="pixels"/>, replaced by a larger array when it
    /// is too small (by one of exactly W·H·3 bytes with <paramref name="exact"/>): a thread's reused buffer, so a loader
    /// does not allocate a large array per image. The image is its first W·H·3 bytes, rows packed.
    /// </summary>
    internal static (int Width, int Height) DecodeInto(ReadOnlySpan<byte> jpeg, string name, int minWidth, int minHeight,
        [NotNull] ref byte[]? pixels, bool exact = false)
    {
        var info = ReadInfo(jpeg, name);
        var (w, h) = ScaledSize(info.Width, info.Height, minWidth, minHeight);
        var n = checked(w * h * 3);
        if (pixels is null || (exact ? pixels.Length != n : pixels.Length < n))
            pixels = exact ? new byte[n] : GC.AllocateUninitializedArray<byte>(n); // every byte is written below
        var handle = Handle();
        var cmyk = info.Colorspace is TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck;
        var buf = cmyk ? new byte[checked(w * h * 4)] : pixels;
        int rc;
        fixed (byte* src = jpeg)
        fixed (byte* dst = buf)
        {
            rc = TurboJpegNative.tjDecompress2(handle, src, (nuint)jpeg.Length, dst, w, 0, h,
                cmyk ? TurboJpegNative.PixelFormatCmyk : TurboJpegNative.PixelFormatRgb, TurboJpegNative.FlagStopOnWarning);
        }
        if (rc != 0)
        {
            var kind = TurboJpegNative.tjGetErrorCode(handle) == TurboJpegNative.ErrorWarning ? "corrupt or truncated JPEG" : "cannot decode JPEG";
            throw Failed($"{name}: {kind} ({TurboJpegNative.ErrorString(handle)})");
        }
        if (cmyk) CmykToRgb(buf, pixels.AsSpan(0, n), HasAdobeMarker(jpeg));
        return (w, h);
    }

    /// <summary>The decoded size for a target: the smallest supported M/8 scale whose result still covers it.</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, int minWidth, int minHeight)
    {
        if (minWidth <= 0 || minHeight <= 0) return (width, height);
        var best = (width, height);
        var factors = TurboJpegNative.tjGetScalingFactors(out var n);
        for (var i = 0; i < n; i++)
        {
            var f = factors[i];
            if (f.Num >= f.Denom) continue; // only scale down
            int sw = (width * f.Num + f.Denom - 1) / f.Denom, sh = (height * f.Num + f.Denom - 1) / f.Denom;
            if (sw >= minWidth && sh >= minHeight && sw * sh < best.width * best.height) best = (sw, sh);
        }
        return best;
    }

    internal static void CmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb, bool inverted)
    {
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            int c = cmyk[i], m = cmyk[i + 1], y = cmyk[i + 2], k = cmyk[i + 3];
            if (!inverted)
            {
                c = 255 - c;
                m = 255 - m;
                y = 255 - y;
                k = 255 - k;
            }
            // Now each value is 255 − ink.
            rgb[j] = (byte)((c * k + 127) / 255);
            rgb[j + 1] = (byte)((m * k + 127) / 255);
            rgb[j + 2] = (byte)((y * k + 127) / 255);
        }
    }

    /// <summary>Whether an APP14 "Adobe" segment precedes the scan data.</summary>
    public static bool HasAdobeMarker(ReadOnlySpan<byte> jpeg)
    {
        var i = 2; // after SOI
        while (i + 4 <= jpeg.Length)
        {
            if (jpeg[i] != 0xFF) return false;
            var marker = jpeg[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) return false; // start of scan / end of image
            var len = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker == 0xEE && len >= 7 && i + 9 <= jpeg.Length && jpeg.Slice(i + 4, 5).SequenceEqual("Adobe"u8))
                return true;
            i += 2 + len;
        }
        return false;
    }

    // One decompressor per thread: TurboJPEG handles are not thread-safe, and loader threads live long.
    private static IntPtr Handle()
    {
        if (_handle is not null) return _handle.Value;
        IntPtr h;
        try
        {
            h = TurboJpegNative.tjInitDecompress();
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                "libturbojpeg.so.0 not found: install libjpeg-turbo's TurboJPEG (Debian/Ubuntu: apt-get install libturbojpeg0-dev)", e);
        }
        if (h == IntPtr.Zero) throw new InvalidOperationException("tjInitDecompress failed");
        _handle = new DecompressHandle(h);
        return h;
    }

    // A failed call can leave libjpeg mid-stream (a header read that stopped before its SOS marker makes the next
    // file's header read see no frame): the thread's next image gets a fresh decompressor. Call after reading the error.
    private static DataFormatException Failed(string message)
    {
        var h = _handle;
        _handle = null;
        h?.Dispose();
        return new DataFormatException(message);
    }

    // Frees the thread's handle when replaced, or once the thread is gone and the holder is collected.
    private sealed class DecompressHandle(IntPtr value) : IDisposable
    {
        public IntPtr Value { get; } = value;

        public void Dispose()
        {
            TurboJpegNative.tjDestroy(Value);
            GC.SuppressFinalize(this);
        }

        ~DecompressHandle() => TurboJpegNative.tjDestroy(Value);
    }
}
