using System.Text;
using Lah.Common;
using Xunit;

namespace Lah.Common.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lah-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Every entry of the folder, hidden temporary files included.
    private string[] Entries() =>
        Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_write_that_throws_midway_keeps_the_previous_file_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, "previous");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]); // more than the stream buffers: part of it reaches the temporary file
            s.Flush();
            throw new InvalidOperationException("failed mid-way");
        }));
        Assert.Equal("failed mid-way", e.Message);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(["run.json"], Entries());
    }

    [Fact]
    public void A_first_write_that_throws_leaves_nothing_behind()
    {
        var path = Path.Combine(_dir, "codes.lahidx");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new IOException("disk full");
        }));
        Assert.Empty(Entries());
    }

    [Fact]
    public void A_rename_that_fails_deletes_the_temporary_file()
    {
        // The target is a folder, so the rename over it fails after the data was written.
        var path = Path.Combine(_dir, "taken");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<Exception>(() => AtomicFile.WriteAllText(path, "data"));
        Assert.Equal(["taken"], Entries());
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void A_write_replaces_the_file_whole_and_leaves_only_it()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        File.WriteAllBytes(path, new byte[1000]);
        byte[] bytes = [1, 2, 3];
        AtomicFile.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Entries());
    }

    [Fact]
    public void Text_is_utf8_without_a_byte_order_mark()
    {
        var path = Path.Combine(_dir, "report.md");
        AtomicFile.WriteAllText(path, "mAP ≥ 0.8 — é");
        Assert.Equal(new UTF8Encoding(false).GetBytes("mAP ≥ 0.8 — é"), File.ReadAllBytes(path));
    }

    [Fact]
    public void Missing_folders_are_created()
    {
        var path = Path.Combine(_dir, "a", "b", "manifest.json");
        AtomicFile.Write(path, s => s.Write("{}"u8));
        Assert.Equal("{}", File.ReadAllText(path));
        Assert.Equal(["manifest.json"], Directory.GetFileSystemEntries(Path.Combine(_dir, "a", "b")).Select(Path.GetFileName));
    }
}
