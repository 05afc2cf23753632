using Lah.Data;
using Lah.Tests;
using Lah.Training.EndToEnd;
using Xunit;

namespace Lah.Vision.Tests;

public sealed class TrainerImageCheckTests
{
    /// <summary>A dataset whose chosen items point at image files instead of rendering in memory.</summary>
    private sealed class WithFiles(IMultiLabelDataset inner, IReadOnlyDictionary<int, string> files) : IMultiLabelDataset
    {
        public string Name => inner.Name;
        public IReadOnlyList<string> LabelNames => inner.LabelNames;
        public int Count => inner.Count;
        public DatasetItem this[int index] =>
            files.TryGetValue(index, out var f) ? inner[index] with { Image = new FileImageSource(f) } : inner[index];
    }

    [Fact]
    public void Fit_lists_every_missing_or_corrupt_image_of_the_split_before_the_first_step()
    {
        var mosaic = new MosaicSetup(count: 300, queries: 40, train: 200);
        using var dir = TestPaths.NewTempDir();
        var corrupt = dir.File("corrupt.jpg");
        File.WriteAllBytes(corrupt, [0xFF, 0xD8, 0xFF, 0xE0, 0, 2]);
        var missing = dir.File("missing.jpg");
        var dataset = new WithFiles(mosaic.Dataset, new Dictionary<int, string>
        {
            [mosaic.Split.Train[^1]] = missing, // the loader would reach it last
            [mosaic.Split.Query[0]] = corrupt, // read only at evaluation, after the first epoch
        });
        using var network = mosaic.Network(seed: 4);
        var checkpoints = Path.Combine(dir.Path, "checkpoints");
        var options = new EndToEndOptions { Epochs = 1, BatchSize = 16, Workers = 1, ShowProgress = false, CheckpointDir = checkpoints };
        using var trainer = new EndToEndTrainer(network, MosaicSetup.Loss(), options);

        var e = Assert.Throws<DataFormatException>(() => trainer.Fit(dataset, mosaic.Split, mosaic.Transform, mosaic.Transform));
        Assert.Contains("2 unreadable", e.Message);
        Assert.Contains(missing, e.Message);
        Assert.Contains(corrupt, e.Message);
        // Nothing ran: no checkpoint was written.
        Assert.False(Directory.Exists(checkpoints) && Directory.EnumerateFileSystemEntries(checkpoints).Any());
    }
}
