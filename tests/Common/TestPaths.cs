using Lah.Data;
using Xunit.Sdk;

namespace Lah.Tests;

/// <summary>
/// Locations the tests share: the repository root, data files and golden vectors, all found through
/// <see cref="DataPaths"/> ($LAH_DATA_DIR / $LAH_GOLDENS_DIR, then the repository's data/, then ../shared).
/// Shipped fixtures (label files, lah_* and metrics_* goldens) must be found. A large external fixture (ResNet
/// goldens, sample photos) that is absent skips its test with the reason — unless LAH_REQUIRE_FIXTURES=1, or an
/// external folder was given (or ../shared exists) but lacks it: then the test fails, so it never passes vacuously.
/// </summary>
public static class TestPaths
{
    public const string RequireFixturesVariable = "LAH_REQUIRE_FIXTURES";

    /// <summary>The single MemberData case standing for "no golden file of this kind"; <see cref="Golden"/> fails or skips on it.</summary>
    public const string MissingCase = "(no case found)";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static bool RequireFixtures => Environment.GetEnvironmentVariable(RequireFixturesVariable) == "1";

    /// <summary>Every golden file whose name starts with <paramref name="prefix"/>, from the first golden folder holding one.</summary>
    public static IReadOnlyList<string> GoldenFiles(string prefix) => DataPaths.FindGoldens(prefix + "*.safetensors");

    /// <summary>xunit MemberData over the golden files of one kind, one case per file name (or <see cref="MissingCase"/>).</summary>
    public static IEnumerable<object[]> GoldenCases(string prefix)
    {
        var files = GoldenFiles(prefix);
        return files.Count == 0 ? [[prefix + MissingCase]] : files.Select(f => new object[] { Path.GetFileName(f) });
    }

    /// <summary>
    /// The path of a golden file by name. For a missing kind (a <see cref="MissingCase"/> name) this fails, or skips
    /// when the kind is external and no external golden folder exists; use it from a [SkippableTheory].
    /// </summary>
    public static string Golden(string fileName)
    {
        var missing = fileName.EndsWith(MissingCase, StringComparison.Ordinal);
        if (!missing)
            foreach (var root in DataPaths.GoldensRoots())
            {
                var p = Path.Combine(root, fileName);
                if (File.Exists(p)) return p;
            }
        var prefix = missing ? fileName[..^MissingCase.Length] : fileName[..(fileName.IndexOf('_') + 1)];
        throw Missing(missing ? $"no golden case '{prefix}*.safetensors'" : $"golden file {fileName} not found",
            DataPaths.GoldensRoots(), DataPaths.GoldensDirVariable, Path.Combine("..", "shared", "goldens"),
            shipped: ShippedGoldenPrefixes.Contains(prefix), folderMustHoldIt: true);
    }

    /// <summary>The golden kinds that ship in data/goldens: their absence is always a failure.</summary>
    public static readonly IReadOnlySet<string> ShippedGoldenPrefixes = new HashSet<string> { "lah_", "metrics_" };

    /// <summary>
    /// External data (e.g. <c>jpeg-samples</c>): its path, else a skip or failure. A data folder holds many things, so
    /// one that lacks this fixture is no failure by itself (a golden folder that lacks a kind is).
    /// </summary>
    public static string ExternalData(string relativePath, string what) =>
        DataPaths.FindData(relativePath) ?? throw Missing(what, DataPaths.DataRoots(), DataPaths.DataDirVariable,
            Path.Combine("..", "shared", "data", relativePath), shipped: false, folderMustHoldIt: false);

    /// <summary>
    /// The exception for an absent fixture: a skip (xunit.SkippableFact) only for an external fixture when
    /// LAH_REQUIRE_FIXTURES is not 1 and no external folder that should hold it exists; otherwise a failure.
    /// </summary>
    private static Exception Missing(string what, IReadOnlyList<string> roots, string variable, string beside, bool shipped,
        bool folderMustHoldIt)
    {
        var searched = roots.Count == 0 ? "no folder" : string.Join(", ", roots);
        if (shipped)
            return new XunitException($"{what} in {searched}: it ships in the repository's data/ folder");
        if (RequireFixtures)
            return new XunitException($"{what} in {searched}, and {RequireFixturesVariable}=1 requires it: set {variable} or place {beside}");
        var external = roots.Where(r => !DataPaths.IsShipped(r)).ToArray();
        if (folderMustHoldIt && external.Length > 0)
            return new XunitException($"{what}: the external folder {string.Join(", ", external)} exists but does not hold it");
        return new Xunit.SkipException($"{what}: set {variable} or place {beside} beside the repository");
    }

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
