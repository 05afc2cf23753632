using System.Runtime.InteropServices;
using FsCheck;
using FsCheck.Fluent;
using Lah.Tests;

namespace Lah.Data.Tests;

public class LoaderTests
{
    private static SyntheticScenes Data(int n) => new(ScenePreset.Voc, n, 5, size: 48);

    private static List<Batch> Run(DataLoader l, int epoch) => l.Epoch(epoch).ToList();

    private static void AssertSameBatch(Batch expected, Batch actual)
    {
        Assert.Equal(expected.Number, actual.Number);
        Assert.Equal(expected.Indices, actual.Indices);
        Assert.Equal(expected.Ids, actual.Ids);
        // Bytes, not float equality (which calls 0 and −0 equal).
        Assert.True(MemoryMarshal.AsBytes(expected.Images.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.Images.AsSpan())),
            $"batch {expected.Number}: images differ");
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Difficult, actual.Difficult);
        Assert.Equal((expected.Height, expected.Width, expected.LabelCount), (actual.Height, actual.Width, actual.LabelCount));
    }

    [Fact]
    public void Order_and_content_do_not_depend_on_worker_count()
    {
        var d = Data(37);
        var t = ImageTransform.OfficialTrain(32);
        var reference = Run(new DataLoader(d, null, t, 5, shuffle: true, seed: 11, workers: 0), 3);
        foreach (var (workers, prefetch) in new[] { (1, 2), (2, 1), (2, 4), (4, 2), (7, 1) })
        {
            var got = Run(new DataLoader(d, null, t, 5, shuffle: true, seed: 11, workers: workers, prefetch: prefetch), 3);
            Assert.Equal(reference.Count, got.Count);
            for (var b = 0; b < got.Count; b++)
            {
                Assert.Equal(b, got[b].Number);
                AssertSameBatch(reference[b], got[b]);
            }
        }
        Assert.Equal(8, reference.Count);
        Assert.Equal(2, reference[^1].Size);
        Assert.Equal(Enumerable.Range(0, 37), reference.SelectMany(b => b.Indices).Order());
    }

    [Fact]
    public void Jpeg_files_give_byte_identical_batches_for_0_1_and_2_workers()
    {
        // The real-data route: TurboJPEG decoding on every worker thread, crops, flips, normalisation into shared buffers.
        using var dir = TestPaths.NewTempDir();
        var files = DataFiles.WriteSyntheticJpegs(dir, 13);
        var d = new MultiLabelDataset("jpegs", ["a", "b", "c"], files.Select((f, i) =>
            new DatasetItem(Path.GetFileNameWithoutExtension(f), new FileImageSource(f), MultiLabel.FromIndices(3, [i % 3]))));
        foreach (var t in new[] { ImageTransform.OfficialTrain(64), ImageTransform.Warp(48, scaledDecode: false), ImageTransform.Warp(48) })
            for (var epoch = 0; epoch < 2; epoch++)
            {
                var serial = Run(new DataLoader(d, null, t, 4, shuffle: true, seed: 5, workers: 0), epoch);
                Assert.Equal(4, serial.Count);
                foreach (var workers in new[] { 1, 2 })
                {
                    var threaded = Run(new DataLoader(d, null, t, 4, shuffle: true, seed: 5, workers: workers, prefetch: 2), epoch);
                    Assert.Equal(serial.Count, threaded.Count);
                    for (var b = 0; b < serial.Count; b++) AssertSameBatch(serial[b], threaded[b]);
                }
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Returned_buffers_are_refilled_with_the_same_bytes(int workers)
    {
        var d = Data(23);
        var t = ImageTransform.OfficialTrain(24);
        var l = new DataLoader(d, null, t, 4, shuffle: true, seed: 6, workers: workers, prefetch: 1);
        var served = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        var reused = 0;
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var order = l.Order(epoch);
            foreach (var b in l.Epoch(epoch))
            {
                if (!served.Add(b.Images)) reused++;
                AssertSameBatch(l.BuildBatch(epoch, order, b.Number), b);
                // Scribble over it, as a caller may not, to show the next fill overwrites every value.
                b.Images.AsSpan().Fill(float.NaN);
                l.Return(b);
            }
        }
        // Serially each full batch after the first refills the previous one's buffer; workers may start a batch before
        // the previous one comes back, so how many they reuse depends on timing.
        if (workers == 0) Assert.Equal(9, reused);
        var last = l.Epoch(0).Last();
        Assert.Equal(3, last.Size); // a partial batch is served from fresh memory and not kept
        l.Return(last);
        var full = l.Epoch(0).First();
        l.Return(full);
        Assert.Throws<InvalidOperationException>(() => l.Return(full));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Resuming_at_a_batch_serves_the_rest_of_the_epoch_exactly(int workers)
    {
        var d = Data(23);
        var t = ImageTransform.OfficialTrain(24);
        var l = new DataLoader(d, null, t, 4, shuffle: true, seed: 8, workers: workers, prefetch: 2);
        var order = l.Order(2);
        foreach (var from in new[] { 0, 1, 4, 5, 6 })
        {
            var rest = l.Epoch(2, from).ToList();
            Assert.Equal(l.BatchCount - from, rest.Count);
            for (var b = from; b < l.BatchCount; b++) AssertSameBatch(l.BuildBatch(2, order, b), rest[b - from]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => l.Epoch(2, l.BatchCount + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => l.Epoch(2, -1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Ranks_with_workers_serve_their_serial_slices(int workers)
    {
        // 29 rows, 3 ranks of 4: two full global batches of 12, then 5 rows, 1 per rank.
        var d = Data(29);
        var t = ImageTransform.OfficialTrain(16);
        for (var rank = 0; rank < 3; rank++)
        {
            var serial = Run(new DataLoader(d, null, t, 4, shuffle: true, seed: 4, workers: 0, rank: rank, worldSize: 3), 1);
            var threaded = Run(new DataLoader(d, null, t, 4, shuffle: true, seed: 4, workers: workers, prefetch: 1, rank: rank, worldSize: 3), 1);
            Assert.Equal(new[] { 4, 4, 1 }, serial.Select(b => b.Size));
            Assert.Equal(serial.Count, threaded.Count);
            for (var b = 0; b < serial.Count; b++) AssertSameBatch(serial[b], threaded[b]);
        }
    }

    [Fact]
    public void A_rank_with_no_rows_in_the_last_batch_still_serves_it_empty()
    {
        // 25 rows, 3 ranks of 4: the last global batch has 1 row, so every rank's last batch is empty.
        var d = Data(25);
        foreach (var workers in new[] { 0, 2 })
        {
            var batches = Run(new DataLoader(d, null, ImageTransform.Warp(8), 4, true, 2, workers: workers, rank: 1, worldSize: 3), 0);
            Assert.Equal(new[] { 4, 4, 0 }, batches.Select(b => b.Size));
            Assert.Equal(2, batches[^1].Number);
        }
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

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_failing_item_surfaces_at_its_batch_with_its_id_and_early_exit_stops_workers(int workers)
    {
        // Items 6 and 7 (one batch) both fail: the batches before are served, then the first failing row's error.
        var items = Enumerable.Range(0, 10).Select(i => new DatasetItem($"it{i}",
            i is 6 or 7 ? new FileImageSource($"/no/such/image{i}.jpg") : new MemoryImageSource(() => new RgbImage(8, 8)),
            MultiLabel.FromIndices(2, [0]))).ToArray();
        var d = new MultiLabelDataset("broken", ["a", "b"], items);
        var l = new DataLoader(d, null, ImageTransform.Warp(8), 2, false, 0, workers: workers, prefetch: 1);
        var served = new List<Batch>();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var b in l.Epoch(0)) served.Add(b);
        });
        Assert.Equal(new[] { 0, 1, 2 }, served.Select(b => b.Number));
        Assert.Contains("it6", e.Message);
        Assert.Contains("/no/such/image6.jpg", e.Message);
        var first = l.Epoch(0).First(); // leaving early joins the workers instead of hanging
        Assert.Equal(new[] { 0, 1 }, first.Indices);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_cancelled_epoch_stops_before_the_next_batch(int workers)
    {
        var l = new DataLoader(Data(20), null, ImageTransform.Warp(8), 4, true, 1, workers: workers);
        using var cts = new CancellationTokenSource();
        var served = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in l.Epoch(0, cts.Token))
                if (++served == 2) cts.Cancel();
        });
        Assert.Equal(2, served);
    }
}
