using Lah.Tests;

namespace Lah.Data.Tests;

/// <summary>Paths of the real label files and JPEG samples in ../shared/data.</summary>
public static class SharedData
{
    public static string Lah(string dataset, string file) => Path.Combine(TestPaths.SharedDir, "data", "lah", dataset, file);

    public static string JpegDir => Path.Combine(TestPaths.SharedDir, "data", "jpeg-samples");

    public static string[] JpegFiles()
    {
        var files = Directory.GetFiles(JpegDir, "*.jpg").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal(90, files.Length);
        return files;
    }
}
