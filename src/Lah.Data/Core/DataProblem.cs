namespace Lah.Data;

/// <summary>
/// One problem found in input files: where (<see cref="File"/>, <see cref="Line"/>; 0 = the file as a whole) and
/// what. Readers that collect problems instead of stopping at the first (a whole dataset checked before training)
/// report them as these; <see cref="ToString"/> is the one-line form of a <see cref="DataFormatException"/>.
/// </summary>
public sealed record DataProblem(string File, int Line, string What)
{
    /// <summary>A problem already phrased with its location (e.g. the message of a reader's exception).</summary>
    public static DataProblem Of(string message) => new("", 0, message);

    public override string ToString() =>
        File.Length == 0 ? What : Line > 0 ? $"{File}:{Line}: {What}" : $"{File}: {What}";
}
