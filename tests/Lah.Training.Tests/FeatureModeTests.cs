using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Training.Batches;
using Lah.Training.Inference;
using Xunit;
using static Lah.Training.Tests.SmallHead;

namespace Lah.Training.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>The loop in feature mode (a head on cached features): devices, frozen groups, label checks, pluggable losses, divergence.</summary>
public class FeatureModeTests
{
    private static TrainerSettings Settings(int epochs = 1, int? maxSteps = null, double clip = 10) =>
        new() { Epochs = epochs, MaxStepsPerEpoch = maxSteps, ClipNorm = clip, Seed = 11 };

    [Fact]
    public void Batches_are_created_on_the_heads_device()
    {
        // On meta the step gets as far as reading the loss (meta has no values): the batch followed the head's device
        // instead of staying on the CPU ("found at least two devices").
        using var model = Build(3);
        model.To(Device.Meta);
        var e = Assert.Throws<InvalidOperationException>(() => Kit.Fit(new HeadModel(model), MosaicSetup.Loss(),
            new FeatureBatches(Features(16, 1), 8, 1), Settings(maxSteps: 1), OptimizerKind.Sgd, 0.1));
        Assert.Contains("meta device", e.Message);
        Assert.Contains("meta device", Assert.Throws<InvalidOperationException>(() => FeatureEncoder.Encode(model, Features(4, 2))).Message);
    }

    [Fact]
    public void Official_frozen_keeps_projections_and_hash_layer_and_accumulates_their_gradients()
    {
        using var model = Build(Config(ParameterTraining.OfficialFrozen), 5);
        var frozen = new Lah.Torch.NN.Module[] { model.ImageProjection!, model.LabelProjection!, model.HashLayer }
            .SelectMany(m => m.Parameters()).ToList();
        var before = frozen.Select(p => p.ToFloatArray()).ToList();
        var gcBefore = model.Gc1.Weight.ToFloatArray();
        Assert.Equal(["gcn"], model.OptimizedGroups().Select(g => g.Name));

        // With the GCN's rate at 0 the model never changes, so every step yields the same gradient (the one batch of
        // all 8 rows, in each epoch's order): after two steps the frozen layers hold twice the first step's gradient
        // (the optimizer never zeroes them), the GCN's once. The hook before step 2 sees step 1's gradients.
        float[]? g1 = null, gc1 = null;
        var hooks = new TrainingHooks
        {
            TransformBatch = b =>
            {
                if (model.HashLayer.Weight.Grad is { } g)
                    using (g)
                    using (var gc = model.Gc1.Weight.Grad!)
                        (g1, gc1) = (g.ToFloatArray(), gc.ToFloatArray());
                return b;
            },
        };
        var result = Kit.Fit(new HeadModel(model), MosaicSetup.Loss(), new FeatureBatches(Features(8, 2), 8, 1), Settings(epochs: 2, clip: 0),
            OptimizerKind.Sgd, 0.1, hooks: hooks, rateOf: _ => 0);
        Assert.Equal(2, result.Steps);
        Assert.NotNull(g1);
        using var g2 = model.HashLayer.Weight.Grad!;
        using var gc2 = model.Gc1.Weight.Grad!;
        Assert.Equal(g1.Select(v => 2 * v), g2.ToFloatArray(), (a, b) => Math.Abs(a - b) <= 1e-6 + 1e-5 * Math.Abs(a));
        Assert.Equal(gc1!, gc2.ToFloatArray(), (a, b) => Math.Abs(a - b) <= 1e-6 + 1e-5 * Math.Abs(a));
        for (int i = 0; i < frozen.Count; i++) Assert.Equal(before[i], frozen[i].ToFloatArray());
        Assert.Equal(gcBefore, model.Gc1.Weight.ToFloatArray());
    }

    [Fact]
    public void Trained_mode_moves_every_group()
    {
        using var model = Build(6);
        Assert.Equal(["gcn", "fusion", "hash"], model.OptimizedGroups().Select(g => g.Name));
        var before = model.Parameters().Select(p => p.ToFloatArray()).ToList();
        var result = Kit.Fit(new HeadModel(model), MosaicSetup.Loss(), new FeatureBatches(Features(16, 3), 8, 1), Settings(maxSteps: 2),
            OptimizerKind.Sgd, 0.1, weightDecay: 1e-4);
        Assert.Equal(2, result.Steps);
        var after = model.Parameters().Select(p => p.ToFloatArray()).ToList();
        for (int i = 0; i < before.Count; i++) Assert.NotEqual(before[i], after[i]);
    }

    [Fact]
    public void A_label_count_mismatch_is_refused_naming_both_counts()
    {
        using var model = Build(7);
        var data = new FeatureSet(new float[4 * D], new float[4 * (R + 1)], 4, D, R + 1);
        using var optimizer = Kit.Optimizer(new HeadModel(model), OptimizerKind.Sgd, 0.1);
        var e = Assert.Throws<ArgumentException>(() =>
            new Trainer(new HeadModel(model), MosaicSetup.Loss(), new FeatureBatches(data, 4, 1), optimizer, null, Settings()));
        Assert.StartsWith("labels:", e.Message);
        Assert.Contains($"{R + 1} label columns", e.Message);
        Assert.Contains($"built for {R}", e.Message);
    }

    [Fact]
    public void A_non_finite_loss_is_reported_with_the_loss_and_its_parts()
    {
        using var model = Build(8);
        var data = new FeatureSet(Enumerable.Repeat(float.NaN, 4 * D).ToArray(), Enumerable.Repeat(1f, 4 * R).ToArray(), 4, D, R);
        var e = Assert.Throws<TrainingDivergedException>(() => Kit.Fit(new HeadModel(model), MosaicSetup.Loss(),
            new FeatureBatches(data, 4, 1), Settings(), OptimizerKind.Sgd, 0.1));
        Assert.Contains("loss (cauchy) is NaN", e.Message);
        Assert.Contains("(cauchy NaN, quantization NaN)", e.Message);
        Assert.Equal(1, e.Step);
    }

    [Fact]
    public void A_classification_loss_plugs_in_on_the_fusion_output()
    {
        using var model = Build(Config(jointDim: 10, stride: 10), 4); // one fused value per label: ML-GCN's classifier scores
        var result = Kit.Fit(new HeadModel(model), new MultiLabelSoftMarginLoss(), new FeatureBatches(Features(96, 5), 16, 1),
            Settings(epochs: 5), OptimizerKind.Adam, 1e-2);
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss, string.Join(", ", result.Epochs.Select(e => e.MeanLoss)));

        using var wrong = Build(4); // two values per label
        var e = Assert.Throws<ArgumentException>(() => Kit.Fit(new HeadModel(wrong), new MultiLabelSoftMarginLoss(),
            new FeatureBatches(Features(32, 5), 16, 1), Settings(), OptimizerKind.Adam, 1e-2));
        Assert.Contains("one fused value per label", e.Message);
    }

    [Fact]
    public void A_delegate_loss_is_what_is_minimised()
    {
        using var model = Build(5);
        var loss = new DelegateLoss("mean-code", (o, _) => o.Codes.Mean());
        var result = Kit.Fit(new HeadModel(model), loss, new FeatureBatches(Features(64, 6), 16, 1), Settings(epochs: 3), OptimizerKind.Sgd, 0.05);
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss, string.Join(", ", result.Epochs.Select(e => e.MeanLoss)));
        // What was minimised is the codes' mean: it ends below the first epoch's.
        model.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var data = Features(64, 6);
        double after = model.ForwardHead(Torch.FromArray(data.Features, data.Count, D)).Codes.Mean().ItemDouble();
        Assert.True(after < result.Epochs[0].MeanLoss, $"mean code {after}, first epoch's loss {result.Epochs[0].MeanLoss}");
    }

    [Fact]
    public void Divergence_throws_the_one_exception_type_naming_the_loss()
    {
        using var model = Build(6);
        var loss = new DelegateLoss("nan", (o, _) => o.Codes.Mean() * double.NaN);
        var e = Assert.Throws<TrainingDivergedException>(() => Kit.Fit(new HeadModel(model), loss,
            new FeatureBatches(Features(16, 7), 4, 1), Settings(), OptimizerKind.Sgd, 0.1));
        Assert.Contains("loss (nan) is NaN", e.Message);
        Assert.True(double.IsNaN(e.Value));
        Assert.Equal(1, e.Step);
        Assert.Equal(0, e.Epoch);
        Assert.Equal(0, e.Batch);
    }
}
