using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Retrieval;
using Lah.Retrieval.Metrics;
using Lah.Torch;
using Lah.Training.Inference;
using Xunit;

namespace Lah.Training.Tests;

/// <summary>The loop end to end (images through a small CNN into a hash head) on fashion-mosaic.</summary>
public sealed class EndToEndTests
{
    private static readonly MosaicSetup Mosaic = new();

    private static float[] Labels(MosaicSetup m, IEnumerable<int> items) => items.SelectMany(i => m.Dataset[i].Labels.ToMultiHot()).ToArray();

    private static DchResult Dch(HashingNetwork network, MosaicSetup m, int[] query, int[] database)
    {
        var (q, ql) = ImageEncoder.Encode(network, m.Dataset, query, m.Transform, 128, Device.CPU, workers: 1);
        var (d, dl) = ImageEncoder.Encode(network, m.Dataset, database, m.Transform, 128, Device.CPU, workers: 1);
        return RetrievalMetrics.Dch(q.Codes, q.Outputs, ql, d.Codes, d.Outputs, dl);
    }

    /// <summary>
    /// From scratch on the CPU: a small CNN + LAH head, 100 steps of 32 images at 32×32, must give 32-bit codes whose
    /// DCH MAP@H≤2 is far above that of random codes, with a precision inside the radius-2 balls well above the share
    /// of relevant pairs (so the codes separate items, rather than collapsing into one ball that holds everything).
    /// </summary>
    [Fact]
    public void Small_cnn_and_lah_head_learn_codes_far_better_than_random_on_fashion_mosaic()
    {
        using var network = Mosaic.Network(seed: 1);
        // At this size the official quantization weight λ = 2 drives every code to the same corner; λ = 0.1 does not.
        var loss = new CauchyHashLoss(new HashLossConfig { Lambda = 0.1 });
        var result = Kit.Fit(network, loss, Mosaic.Batches(32, workers: 1), new TrainerSettings { Epochs = 4, MaxStepsPerEpoch = 25, ClipNorm = 10, Seed = 3 },
            OptimizerKind.Sgd, 0.03, weightDecay: 1e-4);
        var trained = Dch(network, Mosaic, Mosaic.Split.Query, Mosaic.Split.Database);

        // Random ±1 codes on the same items: the radius-2 balls of 32-bit codes are almost always empty.
        var rng = new Random(5);
        float[] RandomCodes(int n) => Enumerable.Range(0, n * 32).Select(_ => rng.Next(2) == 0 ? -1f : 1f).ToArray();
        int nq = Mosaic.Split.Query.Length, ndb = Mosaic.Split.Database.Length;
        var (ql, dbl) = (Labels(Mosaic, Mosaic.Split.Query), Labels(Mosaic, Mosaic.Split.Database));
        var q = RandomCodes(nq);
        var db = RandomCodes(ndb);
        var random = RetrievalMetrics.Dch(PackedCodes.FromSigns(q, nq, 32), q, ql, PackedCodes.FromSigns(db, ndb, 32), db, dbl, 2);
        // All codes equal: every ball holds the whole database and its precision is the share of relevant pairs.
        float[] Same(int n) => Enumerable.Repeat(1f, n * 32).ToArray();
        var collapsed = RetrievalMetrics.Dch(PackedCodes.FromSigns(Same(nq), nq, 32), null, ql, PackedCodes.FromSigns(Same(ndb), ndb, 32), null, dbl, 2);

        var summary = $"trained MAP@H≤2 {trained.Map:F3} P {trained.Precision:F3} R {trained.Recall:F3}; random codes MAP {random.Map:F3}; " +
            $"collapsed codes P {collapsed.Precision:F3}; epochs: {string.Join(" | ", result.Epochs)}";
        Assert.Equal(100, result.Steps);
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss, "loss did not fall: " + summary);
        Assert.True(trained.Map > 0.8 && trained.Map > random.Map + 0.5, summary);
        Assert.True(trained.Precision > collapsed.Precision + 0.1, summary);
    }

    /// <summary>
    /// Selection on a validation hold-out drawn from the training split (never the queries): a scorer of DCH MAP of the
    /// hold-out against the rest of the training items. The selected epoch has the highest score, and the network holds
    /// that epoch's weights afterwards (read back from best.safetensors): scoring it again gives the selected score.
    /// </summary>
    [Fact]
    public void Best_validation_keeps_the_epoch_with_the_highest_hold_out_map()
    {
        var mosaic = new MosaicSetup(count: 300, queries: 40, train: 200);
        var (fit, validation) = Splits.ValidationHoldOut(mosaic.Split.Train, 0.1, 7);
        Assert.Empty(validation.Intersect(mosaic.Split.Query));
        using var dir = Lah.Tests.TestPaths.NewTempDir();
        using var network = mosaic.Network(seed: 4, bits: 16);
        var scorer = DelegateScorer.Selecting(_ => Dch(network, mosaic, validation, fit).Map);
        var result = Kit.Fit(network, MosaicSetup.Loss(), mosaic.Batches(16, items: fit),
            new TrainerSettings { Epochs = 3, MaxStepsPerEpoch = 4, ClipNorm = 10, Seed = 3, Selection = EpochSelection.BestValidation, CheckpointDir = dir.Path },
            OptimizerKind.Sgd, 0.05, weightDecay: 1e-4, scorer: scorer);

        Assert.Equal([0, 1, 2], scorer.Calls);
        var scores = result.Epochs.Select(e => e.SelectionScore).ToArray();
        Assert.All(scores, s => Assert.False(double.IsNaN(s)));
        Assert.Equal(Array.IndexOf(scores, scores.Max()), result.SelectedEpoch);
        Assert.Equal(scores[result.SelectedEpoch], Dch(network, mosaic, validation, fit).Map);
        Assert.Equal(scores, result.Epochs.Select(e => e.Metrics["validation"]));
    }
}
