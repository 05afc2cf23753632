using System.Runtime.InteropServices;

namespace Lah.Data;

/// <summary>P/Invoke declarations for libjpeg-turbo 2.1's TurboJPEG API (`libturbojpeg.so.0`).</summary>
internal static partial class TurboJpegNative
{
    private const string Lib = "libturbojpeg.so.0";

    public const int PixelFormatRgb = 0; // TJPF_RGB
    public const int PixelFormatGray = 6; // TJPF_GRAY
    public const int PixelFormatCmyk = 11; // TJPF_CMYK
    public const int ColorspaceCmyk = 3; // TJCS_CMYK
    public const int ColorspaceYcck = 4; // TJCS_YCCK
    public const int FlagStopOnWarning = 8192; // TJFLAG_STOPONWARNING
    public const int ErrorWarning = 0; // TJERR_WARNING

    [StructLayout(LayoutKind.Sequential)]
    public struct ScalingFactor
    {
        public int Num;
        public int Denom;
    }

    [LibraryImport(Lib)]
    public static partial IntPtr tjInitDecompress();

    [LibraryImport(Lib)]
    public static partial IntPtr tjInitCompress();

    [LibraryImport(Lib)]
    public static partial int tjDestroy(IntPtr handle);

    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompressHeader3(IntPtr handle, byte* jpegBuf, nuint jpegSize, out int width,
        out int height, out int subsamp, out int colorspace);

    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompress2(IntPtr handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width,
        int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Lib)]
    public static unsafe partial ScalingFactor* tjGetScalingFactors(out int count);

    [LibraryImport(Lib)]
    public static unsafe partial int tjCompress2(IntPtr handle, byte* srcBuf, int width, int pitch, int height,
        int pixelFormat, ref IntPtr jpegBuf, ref nuint jpegSize, int subsamp, int quality, int flags);

    [LibraryImport(Lib)]
    public static partial void tjFree(IntPtr buffer);

    [LibraryImport(Lib)]
    public static partial IntPtr tjGetErrorStr2(IntPtr handle);

    [LibraryImport(Lib)]
    public static partial int tjGetErrorCode(IntPtr handle);

    public static string ErrorString(IntPtr handle) => Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
