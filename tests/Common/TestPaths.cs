namespace Lah.Tests;

/// <summary>Locations the tests share: the repository root and the golden vectors (LAH_GOLDENS_DIR, else ../shared/goldens).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string GoldensDir =>
        Environment.GetEnvironmentVariable("LAH_GOLDENS_DIR") is { Length: > 0 } d ? d : Path.Combine(SharedDir, "goldens");

    /// <summary>Every golden file whose name starts with <paramref name="prefix"/>; fails when there is none, so a golden test never passes vacuously.</summary>
    public static IReadOnlyList<string> GoldenFiles(string prefix)
    {
        var files = Directory.Exists(GoldensDir)
            ? Directory.GetFiles(GoldensDir, prefix + "*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToArray()
            : [];
        if (files.Length == 0)
            throw new InvalidOperationException($"no golden case '{prefix}*.safetensors' in {GoldensDir} (set LAH_GOLDENS_DIR)");
        return files;
    }

    /// <summary>xunit MemberData over the golden files of one kind, one case per file name.</summary>
    public static IEnumerable<object[]> GoldenCases(string prefix) =>
        GoldenFiles(prefix).Select(f => new object[] { Path.GetFileName(f) });

    public static string Golden(string fileName) => Path.Combine(GoldensDir, fileName);

    /// <summary>A fresh temporary folder, removed when disposed.</summary>
    public static TempDir NewTempDir() => new();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LAH.sln"))) return dir.FullName;
        throw new InvalidOperationException($"LAH.sln not found above {AppContext.BaseDirectory}");
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lah-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
