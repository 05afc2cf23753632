using System.IO.Compression;

namespace Lah.Data;

/// <summary>Fashion-MNIST in IDX format (gzipped or not), as installed by Debian's `dataset-fashion-mnist`.</summary>
public sealed class FashionMnist
{
    public const string DefaultDir = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;

    public static readonly IReadOnlyList<string> ClassNames =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    private FashionMnist(byte[] images, byte[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Pixels of all items, Count × 28 × 28, 0 = background.</summary>
    public byte[] Images { get; }

    public byte[] Labels { get; }
    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Item(int i) => Images.AsSpan(i * Side * Side, Side * Side);

    /// <summary>Loads the `train` (60,000) or `t10k` (10,000) part.</summary>
    public static FashionMnist Load(string part = "train", string? dir = null)
    {
        dir ??= Environment.GetEnvironmentVariable("LAH_FASHION_MNIST_DIR") is { Length: > 0 } d ? d : DefaultDir;
        var images = ReadIdx(Find(dir, $"{part}-images-idx3-ubyte"), 3);
        var labels = ReadIdx(Find(dir, $"{part}-labels-idx1-ubyte"), 1);
        if (images.Length != labels.Length * Side * Side)
            throw new DataFormatException($"{dir}: {images.Length / (Side * Side)} images but {labels.Length} labels in '{part}'");
        foreach (var l in labels)
            if (l >= ClassNames.Count) throw new DataFormatException($"{dir}: label {l} out of range 0..9 in '{part}'");
        return new FashionMnist(images, labels);
    }

    private static string Find(string dir, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx") + ".gz", stem.Replace("-idx", ".idx") })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST file {stem}(.gz) not found in {dir}: the embedded dataset needs the Debian package " +
            "dataset-fashion-mnist (apt-get install dataset-fashion-mnist, or `dotnet fsi build.fsx setup`), " +
            "or LAH_FASHION_MNIST_DIR pointing at the IDX files");
    }

    /// <summary>IDX: magic 0x0000 0x08 ndim, big-endian dimensions, then unsigned bytes.</summary>
    private static byte[] ReadIdx(string path, int expectedDims)
    {
        using var file = File.OpenRead(path);
        var gz = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream s = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
        var header = new byte[4];
        s.ReadExactly(header);
        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] != expectedDims)
            throw new DataFormatException($"{path}: not an IDX file of unsigned bytes with {expectedDims} dimension(s)");
        var count = 1L;
        var dims = new byte[4 * expectedDims];
        s.ReadExactly(dims);
        for (var i = 0; i < expectedDims; i++)
            count *= (dims[i * 4] << 24) | (dims[i * 4 + 1] << 16) | (dims[i * 4 + 2] << 8) | dims[i * 4 + 3];
        var data = new byte[count];
        try
        {
            s.ReadExactly(data);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"{path}: ends before its {count} bytes of data", e);
        }
        return data;
    }
}
