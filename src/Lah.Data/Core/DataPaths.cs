namespace Lah.Data;

/// <summary>
/// Where data files come from: the one resolver for the library, the <c>lah</c> CLI and the tests. Data (label files,
/// word vectors, photos) is searched in <c>$LAH_DATA_DIR</c>, then the repository's <c>data/</c>, then
/// <c>../shared/data</c> beside the repository; goldens in <c>$LAH_GOLDENS_DIR</c>, then <c>data/goldens</c>, then
/// <c>../shared/goldens</c>. The first place that holds what is asked for serves it, so the label files shipped in the
/// repository and large external fixtures (photos, ResNet goldens) can come from different places.
/// </summary>
/// <remarks>
/// The repository is the first folder holding <c>data/lah</c> or <c>LAH.sln</c> above this assembly, else above the
/// current directory. An environment variable that names a missing folder is an error, never silently passed over.
/// </remarks>
public static class DataPaths
{
    public const string DataDirVariable = "LAH_DATA_DIR";
    public const string GoldensDirVariable = "LAH_GOLDENS_DIR";

    private static readonly Lazy<string?> Repo = new(FindRepository);

    /// <summary>The repository holding this assembly or the current directory; null for an installed copy.</summary>
    public static string? RepositoryRoot => Repo.Value;

    /// <summary>Existing data folders in search order.</summary>
    public static IReadOnlyList<string> DataRoots() =>
        Roots(DataDirVariable, Environment.GetEnvironmentVariable(DataDirVariable), RepositoryRoot, "data", Path.Combine("..", "shared", "data"));

    /// <summary>Existing golden folders in search order.</summary>
    public static IReadOnlyList<string> GoldensRoots() =>
        Roots(GoldensDirVariable, Environment.GetEnvironmentVariable(GoldensDirVariable), RepositoryRoot, Path.Combine("data", "goldens"),
            Path.Combine("..", "shared", "goldens"));

    /// <summary>
    /// The first data folder's <paramref name="relativePath"/> that exists (a file, a folder, or a file stored as
    /// <c>.gz</c>: the path returned is then the uncompressed name, which <see cref="DataFile"/> opens); null if none.
    /// </summary>
    public static string? FindData(string relativePath)
    {
        foreach (var root in DataRoots())
        {
            var p = Path.Combine(root, relativePath);
            if (Directory.Exists(p) || DataFile.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Like <see cref="FindData"/>, but a missing path is an error listing the places searched.</summary>
    public static string RequireData(string relativePath) =>
        FindData(relativePath) ?? throw new DirectoryNotFoundException(
            $"data '{relativePath}' not found in {Describe(DataRoots())}; set {DataDirVariable} to a folder holding it");

    /// <summary>The folder of one benchmark's LAH label files and word vectors (<c>lah/voc2007</c>, …).</summary>
    public static string LahLabelDirectory(string dataset)
    {
        if (!LahDatasets.Names.Contains(dataset))
            throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", LahDatasets.Names)})", nameof(dataset));
        return RequireData(Path.Combine("lah", dataset));
    }

    /// <summary>
    /// Golden files matching <paramref name="pattern"/> (e.g. <c>lah_*.safetensors</c>) from the first golden folder
    /// holding any, sorted by name; empty when no folder holds one.
    /// </summary>
    public static IReadOnlyList<string> FindGoldens(string pattern)
    {
        foreach (var root in GoldensRoots())
        {
            var files = Directory.GetFiles(root, pattern);
            if (files.Length > 0) return files.OrderBy(f => f, StringComparer.Ordinal).ToArray();
        }
        return [];
    }

    /// <summary>Whether <paramref name="root"/> is inside the repository's <c>data/</c> (shipped) rather than external.</summary>
    public static bool IsShipped(string root)
    {
        if (RepositoryRoot is not { } repo) return false;
        var full = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        var data = Path.Combine(repo, "data");
        return full == data || full.StartsWith(data + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static string Describe(IReadOnlyList<string> roots) =>
        roots.Count == 0 ? "no data folder (no repository found, no environment variable set)" : string.Join(", ", roots);

    /// <summary>The search order: the variable's folder (which must exist), then the repository's and beside it (where they exist).</summary>
    internal static List<string> Roots(string variable, string? value, string? repository, string inRepo, string besideRepo)
    {
        var roots = new List<string>();
        if (value is { Length: > 0 } env)
        {
            if (!Directory.Exists(env)) throw new DirectoryNotFoundException($"{variable}={env}: no such folder");
            roots.Add(Path.GetFullPath(env).TrimEnd(Path.DirectorySeparatorChar));
        }
        if (repository is { } repo)
            foreach (var p in new[] { Path.Combine(repo, inRepo), Path.GetFullPath(Path.Combine(repo, besideRepo)) })
                if (Directory.Exists(p) && !roots.Contains(p)) roots.Add(p);
        return roots;
    }

    private static string? FindRepository()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "data", "lah")) || File.Exists(Path.Combine(dir.FullName, "LAH.sln")))
                    return Path.TrimEndingDirectorySeparator(dir.FullName);
        return null;
    }
}
