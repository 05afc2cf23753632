using System.Diagnostics;
using Lah.Data;
using Lah.Hashing.Losses;
using Lah.Tests;
using Lah.Torch;
using Lah.Training;
using Lah.Training.Caching;
using Lah.Training.Features;
using Lah.Training.Pretraining;
using Xunit;
using Xunit.Abstractions;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// The quick recipe, reduced to one dataset and one bit length: a collapsed head (or one that learned nothing beyond
/// its features) fails here. Real VOC label rows and GloVe vectors come from $LAH_DATA_DIR/lah (else ../shared/data).
/// </summary>
public sealed class QuickRecipeTests(ITestOutputHelper output)
{
    private static string DataDir => DataPaths.RequireData("lah");

    [Fact]
    public void Lah_and_dch_heads_clearly_beat_lsh_and_collapsed_codes_on_the_reduced_recipe()
    {
        var clock = Stopwatch.StartNew();
        var full = QuickRecipe.For("voc2007");
        var recipe = full with
        {
            // 1,500 scenes × 12 epochs: the smallest pre-training whose features a head can clearly improve on (after
            // 1,000 × 8, cls mAP 45, LSH 0.752 and LAH 0.760 tie: then this test could not tell learning from luck).
            TrainCount = 1500,
            QueryCount = 250,
            Pretraining = full.Pretraining with { Epochs = 12 },
            Head = full.Head with { Epochs = 10 },
        };
        // 48 bits: at 32 LSH sits within run-to-run noise of DCH (multithreaded pre-training is not bit-exact).
        const int bits = 48;
        var scenes = recipe.BuildScenes(DataDir);
        var split = recipe.Split();
        int r = scenes.LabelNames.Count;
        using var backboneGenerator = new Generator(recipe.Pretraining.Seed);
        using var backbone = recipe.CreateBackbone(r, backboneGenerator);
        var pre = ClassificationPretrainer.Run(backbone, scenes, split.Train, split.Query, recipe.TrainTransform(), recipe.EvalTransform(),
            recipe.Pretraining);
        using var dir = TestPaths.NewTempDir();
        var cache = new FeatureCache(dir.Path);
        var db = cache.GetOrCompute(backbone, "smallcnn", scenes, split.Database, recipe.EvalTransform(), workers: 1, dataTag: recipe.Describe()).Features;
        var query = cache.GetOrCompute(backbone, "smallcnn", scenes, split.Query, recipe.EvalTransform(), workers: 1, dataTag: recipe.Describe()).Features;
        var train = cache.GetOrCompute(backbone, "smallcnn", scenes, split.Train, recipe.EvalTransform(), workers: 1, dataTag: recipe.Describe());
        Assert.Equal(FeatureCacheStatus.Hit, train.Status); // DB = training items

        double lsh = HashBaselines.EvaluateLsh(query, db, bits, 7).Map;
        double collapsed = HashBaselines.EvaluateCollapsed(query, db, bits).Map;
        var log = $"cls mAP {pre.HeldOutMap:F1}, LSH {lsh:F3}, collapsed {collapsed:F3}";
        foreach (var dch in new[] { false, true })
        {
            using var headGenerator = new Generator(recipe.Head.Seed);
            var config = recipe.HeadConfig(r, db.FeatureDim, bits, dch);
            using var head = recipe.CreateHead(config, DataDir, scenes, split, headGenerator);
            var history = new FeatureTrainer(head, new CauchyHashLoss(config.Loss), recipe.Head with
            {
                OnEpoch = e => FeatureEncoder.EvaluateDch(e.Head, query, db).Map,
            }).Train(train.Features);
            double map = FeatureEncoder.EvaluateDch(head, query, db).Map;
            var name = dch ? "DCH" : "LAH";
            log += $"; {name} MAP {map:F3}, loss {history.EpochLosses[0]:F3} → {history.EpochLosses[^1]:F3}, MAP by epoch {string.Join(" ", history.EpochMetrics.Select(m => $"{m:F2}"))}";
            Assert.True(history.EpochLosses[^1] < 0.95 * history.EpochLosses[0], $"{name}: the loss did not fall ({log})");
            Assert.True(map > collapsed + 0.3, $"{name} collapsed: {log}");
            Assert.True(map > lsh + 0.03, $"{name} is no better than LSH on the same features: {log}");
            // DCH's MAP can sit flat from the first epoch at 48 bits (0.80 throughout): it must not fall beyond noise.
            Assert.True(history.EpochMetrics[^1] >= history.EpochMetrics[0] - 0.02, $"{name}: MAP fell ({log})");
        }
        output.WriteLine($"{log}; {clock.Elapsed.TotalSeconds:F0} s");
    }
}
