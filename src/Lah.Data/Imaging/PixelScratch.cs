namespace Lah.Data;

/// <summary>An image's pixels in a buffer that may be longer: the first Width·Height·3 bytes, rows packed.</summary>
internal readonly record struct PixelRegion(byte[] Pixels, int Width, int Height);

/// <summary>
/// One thread's reused buffers for <see cref="ImageTransform.Apply"/>: the encoded file, its decoded pixels and the
/// resized image. Per image, a loader would otherwise allocate several large arrays; on the large-object heap each one
/// is fresh memory (page faults, zeroing) and brings the next full collection nearer, which all threads wait for.
/// A buffer grows to the largest image its thread has seen and lives as long as the thread.
/// </summary>
internal sealed class PixelScratch
{
    [ThreadStatic] private static PixelScratch? _current;

    public static PixelScratch Current => _current ??= new PixelScratch();

    public byte[]? Encoded;
    public byte[]? Decoded;
    public byte[]? Resized;

    /// <summary><paramref name="buffer"/>, replaced when shorter than <paramref name="length"/> (contents not kept).</summary>
    public static byte[] Ensure(ref byte[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = GC.AllocateUninitializedArray<byte>(length);
        return buffer;
    }

    /// <summary>The whole file at <paramref name="path"/>, read into <see cref="Encoded"/> (the exceptions of File.ReadAllBytes).</summary>
    public ReadOnlySpan<byte> ReadFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength) throw new IOException($"{path}: {length} bytes is more than one array holds");
        var buffer = Ensure(ref Encoded, (int)length);
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)length - read), read);
            if (n == 0) break; // the file shrank while being read
            read += n;
        }
        return buffer.AsSpan(0, read);
    }
}
