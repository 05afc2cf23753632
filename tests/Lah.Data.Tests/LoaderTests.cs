using FsCheck;
using FsCheck.Fluent;

namespace Lah.Data.Tests;

public class LoaderTests
{
    private static SyntheticScenes Data(int n) => new(ScenePreset.Voc, n, 5, size: 48);

    private static List<Batch> Run(DataLoader l, int epoch) => l.Epoch(epoch).ToList();

    [Fact]
    public void Order_and_content_do_not_depend_on_worker_count()
    {
        var d = Data(37);
        var t = ImageTransform.OfficialTrain(32);
        var reference = Run(new DataLoader(d, null, t, 5, shuffle: true, seed: 11, workers: 0), 3);
        foreach (var workers in new[] { 1, 2, 4 })
        {
            var got = Run(new DataLoader(d, null, t, 5, shuffle: true, seed: 11, workers: workers, prefetch: 2), 3);
            Assert.Equal(reference.Count, got.Count);
            for (var b = 0; b < got.Count; b++)
            {
                Assert.Equal(b, got[b].Number);
                Assert.Equal(reference[b].Indices, got[b].Indices);
                Assert.Equal(reference[b].Images, got[b].Images);
                Assert.Equal(reference[b].Labels, got[b].Labels);
            }
        }
        Assert.Equal(8, reference.Count);
        Assert.Equal(2, reference[^1].Size);
        Assert.Equal(Enumerable.Range(0, 37), reference.SelectMany(b => b.Indices).Order());
    }

    [Fact]
    public void For_any_seed_and_epoch_two_workers_serve_what_one_thread_builds()
    {
        var d = Data(11);
        var t = ImageTransform.OfficialTrain(16);
        Prop.ForAll<ulong, byte>((seed, epoch) =>
        {
            var serial = Run(new DataLoader(d, null, t, 3, true, seed, workers: 0), epoch);
            var threaded = Run(new DataLoader(d, null, t, 3, true, seed, workers: 2, prefetch: 1), epoch);
            return serial.Count == threaded.Count && serial.Zip(threaded).All(p =>
                p.First.Indices.SequenceEqual(p.Second.Indices) && p.First.Images.SequenceEqual(p.Second.Images));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Epochs_and_seeds_change_the_order_deterministically()
    {
        var d = Data(50);
        var l = new DataLoader(d, null, ImageTransform.Warp(16), 10, true, 1, workers: 2);
        Assert.Equal(l.Order(0), l.Order(0));
        Assert.NotEqual(l.Order(0), l.Order(1));
        Assert.NotEqual(l.Order(0), new DataLoader(d, null, ImageTransform.Warp(16), 10, true, 2).Order(0));
        var plain = new DataLoader(d, Enumerable.Range(10, 20).ToArray(), ImageTransform.Warp(16), 10, false, 1, dropLast: true);
        Assert.Equal(Enumerable.Range(10, 20), plain.Order(4));
        Assert.Equal(2, plain.BatchCount);
    }

    [Fact]
    public void Labels_and_images_land_in_their_batch_slots()
    {
        var d = Data(9);
        var t = ImageTransform.Warp(24);
        var batches = Run(new DataLoader(d, null, t, 4, true, 3, workers: 2), 0);
        foreach (var b in batches)
            for (var i = 0; i < b.Size; i++)
            {
                var item = d[b.Indices[i]];
                Assert.Equal(item.Id, b.Ids[i]);
                Assert.Equal(item.Labels.ToMultiHot(), b.Labels.AsSpan(i * 20, 20).ToArray());
                var expected = ImageNetNormalize.ToChw(Resize.Apply(item.Image.Load(), 24, 24));
                Assert.Equal(expected, b.Images.AsSpan(i * t.OutputLength, t.OutputLength).ToArray());
            }
    }

    [Fact]
    public void A_failing_item_surfaces_with_its_id_and_early_exit_stops_workers()
    {
        var items = Enumerable.Range(0, 10).Select(i => new DatasetItem($"it{i}",
            i == 6 ? new FileImageSource("/no/such/image.jpg") : new MemoryImageSource(() => new RgbImage(8, 8)),
            MultiLabel.FromIndices(2, [0]))).ToArray();
        var d = new MultiLabelDataset("broken", ["a", "b"], items);
        var l = new DataLoader(d, null, ImageTransform.Warp(8), 2, false, 0, workers: 2, prefetch: 1);
        var e = Assert.Throws<InvalidOperationException>(() => Run(l, 0));
        Assert.Contains("it6", e.Message);
        Assert.Contains("/no/such/image.jpg", e.Message);
        var first = l.Epoch(0).First(); // leaving early joins the workers instead of hanging
        Assert.Equal(new[] { 0, 1 }, first.Indices);
    }
}
