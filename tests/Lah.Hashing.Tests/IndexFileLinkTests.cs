using Lah.Retrieval;
using Lah.Tests;
using Xunit;

namespace Lah.Hashing.Tests;

/// <summary>
/// MappedIndex through a symbolic link. Here, not in Lah.Retrieval.Tests, while that F# project is ported to Expecto;
/// this project references Lah.Retrieval for it.
/// </summary>
public sealed class IndexFileLinkTests
{
    [Fact]
    public void A_symlinked_index_file_maps_at_its_targets_length()
    {
        using var dir = TestPaths.NewTempDir();
        const int count = 300, bits = 64;
        var rng = new Random(5);
        var words = Enumerable.Range(0, count).Select(_ => (ulong)rng.NextInt64()).ToArray();
        var codes = PackedCodes.FromWords(words, count, bits, Enumerable.Range(0, count).Select(i => 1000L + i).ToArray());
        var target = dir.File("codes.lahidx");
        IndexFile.Write(target, codes);
        var link = dir.File("link.lahidx");
        File.CreateSymbolicLink(link, target);
        // FileInfo.Length of a link is the length of the target's path, far shorter than the index header.
        Assert.True(new FileInfo(link).Length < IndexFile.FileLength(bits, count));

        using var mapped = MappedIndex.Open(link);
        Assert.Equal(count, mapped.Count);
        Assert.True(mapped.Words.SequenceEqual(words));
        Assert.Equal(1000L + 17, mapped.Ids[17]);
        var want = new FlatIndex(codes).Search(codes.Code(3), 5);
        Assert.Equal(want, mapped.Search(codes.Code(3), 5));
    }

    [Fact]
    public void A_dangling_link_is_not_found_naming_the_path()
    {
        using var dir = TestPaths.NewTempDir();
        var link = dir.File("dangling.lahidx");
        File.CreateSymbolicLink(link, dir.File("gone.lahidx"));
        Assert.Contains(link, Assert.Throws<FileNotFoundException>(() => MappedIndex.Open(link)).Message);
    }
}
