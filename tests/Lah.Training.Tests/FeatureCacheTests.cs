using Lah.Data;
using Lah.Hashing.Models;
using Lah.Tests;
using Lah.Torch;
using Lah.Training.Batches;
using Lah.Training.Caching;
using Lah.Training.Inference;
using Lah.Vision;
using Lah.Vision.Models;
using Xunit;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class FeatureCacheTests
{
    private static readonly MosaicSetup Mosaic = new(count: 300, queries: 50, train: 200);
    private static readonly int[] Items = Enumerable.Range(0, 120).ToArray();

    private static SmallCnn Backbone(long seed, int[]? widths = null)
    {
        using var gen = new Generator(seed);
        return new SmallCnn(new SmallCnnConfig { Widths = widths ?? [8, 16], Pooling = GlobalPooling.Max }, gen);
    }

    private static FeatureCacheResult Get(FeatureCache cache, Backbone b, ImageTransform? t = null, string name = "smallcnn") =>
        cache.GetOrCompute(b, name, Mosaic.Dataset, Items, t ?? Mosaic.Transform, batchSize: 32, shardSize: 50, workers: 1);

    [Fact]
    public void Features_are_computed_once_reused_per_backbone_and_weights_and_recomputed_when_the_transform_changes()
    {
        using var dir = TestPaths.NewTempDir();
        var cache = new FeatureCache(dir.Path);
        using var backbone = Backbone(1);

        var first = Get(cache, backbone);
        Assert.Equal(FeatureCacheStatus.Computed, first.Status);
        Assert.Equal(3, Directory.GetFiles(first.Directory, "shard-*.safetensors").Length); // 120 rows in shards of 50

        var second = Get(cache, backbone);
        Assert.Equal(FeatureCacheStatus.Hit, second.Status);
        Assert.Equal(first.Features.Features, second.Features.Features);
        Assert.Equal(first.Features.Labels, second.Features.Labels);

        // The cached rows are what the backbone gives: check one batch directly.
        backbone.Eval();
        using (var scope = Torch.NewScope())
        using (Torch.NoGrad())
        {
            var buffer = new float[Mosaic.Transform.OutputLength];
            Mosaic.Transform.Apply(Mosaic.Dataset[Items[7]].Image, new Rng(0), buffer);
            var direct = backbone.ForwardPooled(Torch.FromArray(buffer, 1, 3, 32, 32)).ToFloatArray();
            var row = second.Features.Features.AsSpan(7 * backbone.NumFeatures, backbone.NumFeatures).ToArray();
            for (int i = 0; i < direct.Length; i++) Assert.Equal(direct[i], row[i], 4);
        }

        // Weights change (one value of one running statistic is enough): a separate entry, the first one stays.
        using (Torch.NoGrad()) backbone.StateDict()["features.1.bn.running_mean"].Add_(Torch.Scalar(0.5));
        var afterWeights = Get(cache, backbone);
        Assert.Equal(FeatureCacheStatus.Computed, afterWeights.Status);
        Assert.NotEqual(first.Directory, afterWeights.Directory);
        Assert.NotEqual(first.Features.Features, afterWeights.Features.Features);
        Assert.Equal(FeatureCacheStatus.Hit, Get(cache, backbone).Status);
        using var original = Backbone(1);
        Assert.Equal(FeatureCacheStatus.Hit, Get(cache, original).Status);

        // Transform change: the entry of this backbone is replaced.
        var afterTransform = Get(cache, backbone, ImageTransform.Warp(40, scaledDecode: false));
        Assert.Equal(FeatureCacheStatus.Invalidated, afterTransform.Status);
        Assert.StartsWith("transform", afterTransform.InvalidatedBecause);

        // Another architecture, and the same one under another registry name: entries of their own, none evicted.
        using var other = Backbone(1, [8, 12]);
        var afterBackbone = Get(cache, other);
        Assert.Equal(FeatureCacheStatus.Computed, afterBackbone.Status);
        Assert.Equal(12, afterBackbone.Features.FeatureDim);
        Assert.Equal(FeatureCacheStatus.Computed, Get(cache, other, name: "smallcnn-v2").Status);
        Assert.Equal(FeatureCacheStatus.Hit, Get(cache, other).Status);
        Assert.Equal(FeatureCacheStatus.Hit, Get(cache, original).Status);
    }

    [Fact]
    public void An_entry_without_its_manifest_or_with_a_missing_shard_is_recomputed()
    {
        using var dir = TestPaths.NewTempDir();
        var cache = new FeatureCache(dir.Path);
        using var backbone = Backbone(2);
        var first = Get(cache, backbone);
        File.Delete(Path.Combine(first.Directory, "shard-00001.safetensors"));
        var again = Get(cache, backbone);
        Assert.Equal(FeatureCacheStatus.Invalidated, again.Status);
        Assert.Equal("a shard is missing", again.InvalidatedBecause);
        Assert.Equal(first.Features.Features, again.Features.Features);
        // A kill before the manifest is written leaves an incomplete entry: it is computed, never read.
        File.Delete(Path.Combine(first.Directory, "manifest.json"));
        Assert.Equal(FeatureCacheStatus.Computed, Get(cache, backbone).Status);
    }

    [Fact]
    public void Random_transforms_are_refused()
    {
        using var dir = TestPaths.NewTempDir();
        using var backbone = Backbone(3);
        var e = Assert.Throws<ArgumentException>(() => Get(new FeatureCache(dir.Path), backbone, ImageTransform.RandomResized(32)));
        Assert.Contains("random-resized-crop", e.Message);
    }

    [Fact]
    public void Cached_features_feed_feature_mode_training()
    {
        using var dir = TestPaths.NewTempDir();
        var cache = new FeatureCache(dir.Path);
        using var backbone = Backbone(4);
        Get(cache, backbone);
        var features = Get(cache, backbone);
        Assert.Equal(FeatureCacheStatus.Hit, features.Status);
        using var gen = new Generator(5);
        using var head = (LahModel)HashHeads.Create(MosaicSetup.HeadConfig(16, backbone.NumFeatures), null, Mosaic.Nums, Mosaic.Cooccurrence, gen);
        var result = Kit.Fit(new HeadModel(head), MosaicSetup.Loss(), new FeatureBatches(features.Features, 16, seed: 1),
            new TrainerSettings { Epochs = 2, ClipNorm = 10 }, OptimizerKind.Sgd, 0.01, weightDecay: 1e-4);
        Assert.Equal(2 * 8, result.Steps);
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.MeanLoss)));
        var encoded = FeatureEncoder.Encode(head, features.Features);
        Assert.Equal(120, encoded.Codes.Count);
    }
}
