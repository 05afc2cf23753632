namespace Lah.Data;

/// <summary>A JPEG file decoded with TurboJPEG.</summary>
public sealed record FileImageSource(string Path) : ImageSource
{
    public override RgbImage Load(int minWidth = 0, int minHeight = 0) => JpegDecoder.DecodeFile(Path, minWidth, minHeight);

    internal override PixelRegion LoadInto(PixelScratch scratch, int minWidth, int minHeight) =>
        JpegDecoder.DecodeFileInto(Path, minWidth, minHeight, scratch);
}
