using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Lah.Data;

/// <summary>The formats a folder of images may hold, told apart by their first bytes (never by the file name).</summary>
public enum ImageFileFormat
{
    Unknown,
    Jpeg,
    Png,
    Bmp,
    Gif,
    WebP,
}

/// <summary>
/// Any image file as 8-bit RGB: JPEG through TurboJPEG (the path training and evaluation use, so encoded pixels match
/// theirs), PNG, BMP, GIF (first frame) and WebP through ImageSharp. An alpha channel is dropped, not composited.
/// Every failure is a <see cref="DataFormatException"/> naming the file and the reason.
/// </summary>
public static class ImageFile
{
    public static ImageFileFormat Sniff(ReadOnlySpan<byte> head) => head switch
    {
        [0xFF, 0xD8, 0xFF, ..] => ImageFileFormat.Jpeg,
        [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => ImageFileFormat.Png,
        [(byte)'B', (byte)'M', ..] => ImageFileFormat.Bmp,
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => ImageFileFormat.Gif,
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => ImageFileFormat.WebP,
        _ => ImageFileFormat.Unknown,
    };

    public static RgbImage DecodeFile(string path, int minWidth = 0, int minHeight = 0) =>
        Decode(Read(path, File.ReadAllBytes), path, minWidth, minHeight);

    /// <summary><see cref="DecodeFile"/> into the thread's scratch buffers where the file is a JPEG.</summary>
    internal static PixelRegion DecodeFileInto(string path, int minWidth, int minHeight, PixelScratch scratch)
    {
        var bytes = Read(path, p => scratch.ReadFile(p).Length);
        var data = scratch.Encoded.AsSpan(0, bytes);
        if (Sniff(data) != ImageFileFormat.Jpeg)
        {
            var image = Decode(data.ToArray(), path, minWidth, minHeight);
            return new PixelRegion(image.Pixels, image.Width, image.Height);
        }
        var (w, h) = JpegDecoder.DecodeInto(data, path, minWidth, minHeight, ref scratch.Decoded);
        return new PixelRegion(scratch.Decoded, w, h);
    }

    private static T Read<T>(string path, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{path}: cannot read ({e.Message})", e);
        }
    }

    /// <summary>Decodes <paramref name="bytes"/>; the size hint lets a JPEG decode at a reduced M/8 scale (other formats ignore it).</summary>
    public static RgbImage Decode(byte[] bytes, string name, int minWidth = 0, int minHeight = 0)
    {
        var format = Sniff(bytes);
        switch (format)
        {
            case ImageFileFormat.Jpeg:
                return JpegDecoder.Decode(bytes, name, minWidth, minHeight);
            case ImageFileFormat.Unknown:
                throw new DataFormatException($"{name}: not an image (not JPEG, PNG, BMP, GIF or WebP)");
        }
        // ImageSharp 2.1 decodes a truncated WebP without complaint; its RIFF header states the length to expect.
        if (format == ImageFileFormat.WebP && bytes.Length < 8L + BitConverter.ToUInt32(bytes, 4))
            throw new DataFormatException(
                $"{name}: corrupt or truncated WebP ({bytes.Length} bytes, the RIFF header says {8L + BitConverter.ToUInt32(bytes, 4)})");
        try
        {
            using var image = Image.Load<Rgb24>(bytes);
            var rgb = new RgbImage(image.Width, image.Height);
            image.CopyPixelDataTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Rgb24>(rgb.Pixels.AsSpan()));
            return rgb;
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or NotSupportedException
                                      or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // ImageSharp reports truncated or corrupt data through several exception types.
            throw new DataFormatException($"{name}: corrupt or unsupported {format} ({e.Message})", e);
        }
    }
}

/// <summary>An image file of any supported format (see <see cref="ImageFile"/>).</summary>
public sealed record ImageFileSource(string Path) : ImageSource
{
    public override RgbImage Load(int minWidth = 0, int minHeight = 0) => ImageFile.DecodeFile(Path, minWidth, minHeight);

    internal override PixelRegion LoadInto(PixelScratch scratch, int minWidth, int minHeight) =>
        ImageFile.DecodeFileInto(Path, minWidth, minHeight, scratch);
}
