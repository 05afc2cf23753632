namespace Lah.Data;

/// <summary>
/// Temp-file-and-rename writes for the files Lah.Data produces (the libtorch-free twin of Lah.Torch's AtomicFile): a
/// reader never sees a half-written file under its name. No fsync: a rendered dataset is thousands of small files,
/// and a render cut short is found by the layout checks (its list files are written last).
/// </summary>
internal static class AtomicWrite
{
    public static void Bytes(string path, ReadOnlySpan<byte> bytes)
    {
        var tmp = TempFor(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                fs.Write(bytes);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public static void Stream(string path, Action<Stream> write)
    {
        var tmp = TempFor(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                write(fs);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Lines joined by LF, a final LF, UTF-8 without BOM.</summary>
    public static void Lines(string path, IEnumerable<string> lines) =>
        Stream(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
            foreach (var l in lines) w.WriteLine(l);
        });

    private static string TempFor(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    private static void TryDelete(string tmp)
    {
        try
        {
            File.Delete(tmp);
        }
        catch (IOException)
        {
        }
    }
}
