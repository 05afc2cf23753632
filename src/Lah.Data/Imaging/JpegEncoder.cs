using System.Runtime.InteropServices;

namespace Lah.Data;

/// <summary>JPEG encoding through TurboJPEG (tests and dataset export).</summary>
public static unsafe class JpegEncoder
{
    public const int Subsampling444 = 0;
    public const int Subsampling420 = 2;
    public const int SubsamplingGray = 3;

    public static byte[] EncodeRgb(RgbImage image, int quality = 90, int subsampling = Subsampling420) =>
        Encode(image.Pixels, image.Width, image.Height, TurboJpegNative.PixelFormatRgb, quality, subsampling);

    /// <summary>Single-channel pixels (width × height bytes) to a grayscale JPEG.</summary>
    public static byte[] EncodeGray(byte[] pixels, int width, int height, int quality = 90) =>
        Encode(pixels, width, height, TurboJpegNative.PixelFormatGray, quality, SubsamplingGray);

    /// <summary>
    /// CMYK pixels (4 bytes each) to a YCCK JPEG with an Adobe marker, so decoders (this one, PIL) read the values
    /// as inverted: pass 255 − ink, as Photoshop stores them.
    /// </summary>
    public static byte[] EncodeCmyk(byte[] pixels, int width, int height, int quality = 90) =>
        Encode(pixels, width, height, TurboJpegNative.PixelFormatCmyk, quality, Subsampling444);

    private static byte[] Encode(byte[] pixels, int width, int height, int pixelFormat, int quality, int subsampling)
    {
        var h = TurboJpegNative.tjInitCompress();
        if (h == IntPtr.Zero) throw new InvalidOperationException("tjInitCompress failed");
        try
        {
            IntPtr buf = IntPtr.Zero;
            nuint size = 0;
            fixed (byte* src = pixels)
            {
                if (TurboJpegNative.tjCompress2(h, src, width, 0, height, pixelFormat, ref buf, ref size, subsampling, quality, 0) != 0)
                    throw new InvalidOperationException($"tjCompress2 failed: {TurboJpegNative.ErrorString(h)}");
            }
            var result = new byte[(int)size];
            Marshal.Copy(buf, result, 0, result.Length);
            TurboJpegNative.tjFree(buf);
            return result;
        }
        finally
        {
            TurboJpegNative.tjDestroy(h);
        }
    }
}
