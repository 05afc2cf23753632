namespace Lah.Torch.Serialization;

/// <summary>Forwards to <see cref="Lah.Common.AtomicFile"/>, where atomic writes live; kept only for the call sites in
/// Lah.Training until they name Lah.Common themselves. New code uses Lah.Common.AtomicFile.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => Lah.Common.AtomicFile.Write(path, write);

    public static void WriteAllText(string path, string text) => Lah.Common.AtomicFile.WriteAllText(path, text);
}
