namespace Lah.Data;

/// <summary>
/// Disagreements between a dataset's files found while reading it (a listed image absent, an image without
/// annotation), collected so that one check reports them all as one line: the first, named, and how many more.
/// </summary>
internal sealed class LayoutProblems
{
    private readonly List<string> _found = [];

    public int Count => _found.Count;

    /// <summary>One problem: the file's path, a colon, what is wrong with it.</summary>
    public void Add(string problem) => _found.Add(problem);

    public void ThrowIfAny()
    {
        if (_found.Count == 0) return;
        throw new DataFormatException(_found.Count == 1 ? _found[0] : $"{_found[0]} (and {_found.Count - 1} more problem{(_found.Count == 2 ? "" : "s")})");
    }
}
