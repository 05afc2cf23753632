namespace Lah.Data;

/// <summary>Bad input data: the message names the file (and line/field where known) and what was expected.</summary>
public sealed class DataFormatException(string message, Exception? inner = null) : Exception(message, inner)
{
    public static DataFormatException At(string file, int line, string what) => new($"{file}:{line}: {what}");
}
