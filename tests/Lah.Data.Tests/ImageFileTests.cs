using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Lah.Data.Tests;

public sealed class ImageFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lah-imagefile-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A seeded image of at most 64 distinct colours, so a GIF (256-colour palette) stores it exactly too.</summary>
    private static RgbImage Source(int w = 37, int h = 23)
    {
        var rng = new Random(7);
        var palette = Enumerable.Range(0, 64).Select(_ => new[] { (byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256) }).ToArray();
        var img = new RgbImage(w, h);
        for (var i = 0; i < w * h; i++)
            palette[rng.Next(palette.Length)].CopyTo(img.Pixels, i * 3);
        return img;
    }

    private string Write(RgbImage img, string name, IImageEncoder encoder)
    {
        using var image = Image.LoadPixelData<Rgb24>(img.Pixels, img.Width, img.Height);
        var path = Path.Combine(_dir, name);
        image.Save(path, encoder);
        return path;
    }

    public static TheoryData<string> LosslessFormats => ["png", "bmp", "gif", "webp"];

    private static IImageEncoder EncoderFor(string format) => format switch
    {
        "png" => new PngEncoder(),
        "bmp" => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
        "gif" => new GifEncoder(),
        "webp" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        _ => throw new ArgumentException(format),
    };

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void Lossless_files_written_by_ImageSharp_decode_to_the_source_pixels(string format)
    {
        var src = Source();
        var path = Write(src, "image." + format, EncoderFor(format));
        var decoded = ImageFile.DecodeFile(path);
        Assert.Equal((src.Width, src.Height), (decoded.Width, decoded.Height));
        Assert.Equal(src.Pixels, decoded.Pixels);
    }

    [Fact]
    public void The_format_comes_from_the_bytes_not_the_name()
    {
        var src = Source();
        var path = Write(src, "really-a-png.jpg", new PngEncoder());
        Assert.Equal(ImageFileFormat.Png, ImageFile.Sniff(File.ReadAllBytes(path)));
        Assert.Equal(src.Pixels, ImageFile.DecodeFile(path).Pixels);
    }

    [Fact]
    public void A_jpeg_goes_through_TurboJPEG_with_the_scaled_decode_hint()
    {
        var jpeg = JpegEncoder.EncodeRgb(Source(64, 48));
        var path = Path.Combine(_dir, "a.jpg");
        File.WriteAllBytes(path, jpeg);
        var viaFile = ImageFile.DecodeFile(path, 16, 12);
        var direct = JpegDecoder.Decode(jpeg, path, 16, 12);
        Assert.Equal((direct.Width, direct.Height), (viaFile.Width, viaFile.Height));
        Assert.True(viaFile.Width < 64, "the hint scaled the decode down");
        Assert.Equal(direct.Pixels, viaFile.Pixels);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("gif")]
    public void A_truncated_file_is_an_error_naming_it(string format)
    {
        var path = Write(Source(), "broken." + format, EncoderFor(format));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var e = Assert.Throws<DataFormatException>(() => ImageFile.DecodeFile(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_file_that_is_no_image_is_an_error_naming_it()
    {
        var path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "not pixels");
        var e = Assert.Throws<DataFormatException>(() => ImageFile.DecodeFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an image", e.Message);
    }

    [Fact]
    public void A_folder_lists_every_file_sorted_and_leaves_hidden_ones_out()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        Directory.CreateDirectory(Path.Combine(_dir, ".cache"));
        foreach (var f in new[] { "b.png", "a.jpg", "sub/c.gif", ".hidden.png", ".cache/x.png" })
            File.WriteAllText(Path.Combine(_dir, f), "");
        var list = ImageList.Read(_dir);
        Assert.Equal(new[] { "a.jpg", "b.png", "sub/c.gif" }, list.Paths.Select(p => Path.GetRelativePath(_dir, p)));
        Assert.Null(list.Labels);
    }

    [Fact]
    public void A_lah_csv_list_carries_its_labels_with_paths_relative_to_the_list()
    {
        var csv = Path.Combine(_dir, "list.csv");
        File.WriteAllText(csv, "name,cat,dog\nimgs/a.png,1,-1\nimgs/b.png,-1,1\n");
        var list = ImageList.Read(csv);
        Assert.Equal(new[] { "cat", "dog" }, list.LabelNames);
        Assert.Equal(Path.Combine(_dir, "imgs", "b.png"), list.Paths[1]);
        Assert.Equal(new[] { 1f, 0f, 0f, 1f }, list.Labels);
    }

    [Fact]
    public void A_coco_style_list_takes_its_label_names_from_labels_txt_and_paths_from_the_root()
    {
        var lists = Directory.CreateDirectory(Path.Combine(_dir, "lists")).FullName;
        File.WriteAllText(Path.Combine(lists, "labels.txt"), "person\nbicycle\ncar\n");
        var list = Path.Combine(lists, "val.txt");
        File.WriteAllText(list, "val2014/a.jpg 0 1 1\nval2014/b.jpg 1 0 0\n");
        var read = ImageList.Read(list, _dir);
        Assert.Equal(new[] { "person", "bicycle", "car" }, read.LabelNames);
        Assert.Equal(Path.Combine(_dir, "val2014", "a.jpg"), read.Paths[0]);
        Assert.Equal(new[] { 0f, 1f, 1f, 1f, 0f, 0f }, read.Labels);
        Assert.Throws<DirectoryNotFoundException>(() => ImageList.Read(list, Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void A_plain_list_has_no_labels()
    {
        var txt = Path.Combine(_dir, "list.txt");
        File.WriteAllText(txt, "a.png\n\nsub/b.png\n");
        var list = ImageList.Read(txt);
        Assert.Equal(new[] { Path.Combine(_dir, "a.png"), Path.Combine(_dir, "sub", "b.png") }, list.Paths);
        Assert.Null(list.Labels);
    }
}
