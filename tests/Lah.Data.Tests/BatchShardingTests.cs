namespace Lah.Data.Tests;

public class BatchShardingTests
{
    [Theory]
    [InlineData(48, 4, 2)]
    [InlineData(50, 4, 2)] // last global batch of 2 rows: one each
    [InlineData(53, 5, 3)] // last global batch of 3 rows over 3 ranks
    [InlineData(7, 8, 1)] // one process: the plain batches
    public void Ranks_split_each_global_batch_into_equal_disjoint_contiguous_slices(int count, int batch, int world)
    {
        int batches = BatchSharding.BatchCount(count, batch, world);
        Assert.Equal((count + batch * world - 1) / (batch * world), batches);
        for (int b = 0; b < batches; b++)
        {
            var slices = Enumerable.Range(0, world).Select(r => BatchSharding.Slice(count, batch, r, world, b)).ToList();
            int globalStart = b * batch * world, globalRows = Math.Min(batch * world, count - globalStart);
            // Equal sizes on every rank (the same number of steps), in rank order, covering the head of the global batch.
            Assert.All(slices, s => Assert.Equal(slices[0].Length, s.Length));
            for (int r = 0; r < world; r++) Assert.Equal(globalStart + r * slices[0].Length, slices[r].Start);
            Assert.Equal(globalRows == batch * world ? batch : globalRows / world, slices[0].Length);
        }
    }

    [Fact]
    public void A_sharded_loader_serves_each_rank_its_slice_of_the_same_order()
    {
        var ds = new SyntheticScenes(ScenePreset.Voc, 37, 5, size: 48);
        var t = ImageTransform.OfficialTrain(32);
        var one = new DataLoader(ds, null, t, 8, shuffle: true, seed: 9, workers: 0);
        var ranks = Enumerable.Range(0, 2).Select(r => new DataLoader(ds, null, t, 4, shuffle: true, seed: 9, workers: 0, rank: r, worldSize: 2)).ToList();
        Assert.Equal(one.BatchCount, ranks[0].BatchCount);
        var full = one.Epoch(3).ToList();
        var parts = ranks.Select(l => l.Epoch(3).ToList()).ToList();
        for (int b = 0; b < full.Count; b++)
        {
            var union = parts[0][b].Ids.Concat(parts[1][b].Ids).ToArray();
            // Full batches match one process's batch exactly; the last (5 rows) gives each rank 2.
            Assert.Equal(full[b].Ids.Take(union.Length), union);
            // Augmentation is drawn per (seed, epoch, item): a rank's images are exactly one process's.
            Assert.Equal(full[b].Images.AsSpan(0, parts[0][b].Images.Length).ToArray(), parts[0][b].Images);
        }
    }
}
