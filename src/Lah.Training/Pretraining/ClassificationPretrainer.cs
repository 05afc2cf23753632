using System.Diagnostics;
using System.Text.Json;
using Lah.Data;
using Lah.Retrieval.Metrics;
using Lah.Torch;
using Lah.Torch.Distributed;
using Lah.Torch.Optim;
using Lah.Torch.Serialization;
using Lah.Training.EndToEnd;
using Lah.Vision;

namespace Lah.Training.Pretraining;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Pre-trains a backbone by multi-label classification, for feature-mode hashing without ImageNet weights: backbone
/// with its linear classifier (<see cref="Backbone.Classifier"/>, one output per label) → MultiLabelSoftMargin (BCE
/// with logits, averaged over labels) on the training items only, augmented by the caller's training transform,
/// optimizer and schedule from <see cref="PretrainingOptions"/>, seeded. The weights (classifier included; load them
/// with <c>ModelRegistry.Create(name, new ModelOptions { WeightsFile = path, NumClasses = 0 })</c> for a feature
/// backbone) are saved as safetensors with the caller's fingerprint in the metadata; when that file exists with the
/// same fingerprint it is loaded instead of training.
/// </summary>
public static class ClassificationPretrainer
{
    public const string Format = "lah-classification-pretraining/1";
    private const string FingerprintKey = "fingerprint";
    private const string HistoryKey = "history";

    /// <summary>
    /// Trains <paramref name="model"/> (or loads it from <paramref name="weightsPath"/> when its metadata fingerprint is
    /// <paramref name="fingerprint"/>) and returns the history and the held-out classification mAP. The model is left
    /// in evaluation mode. <paramref name="weightsPath"/> null: nothing saved or loaded.
    /// </summary>
    public static PretrainingResult Run(Backbone model, IMultiLabelDataset dataset, IReadOnlyList<int> train,
        IReadOnlyList<int> heldOut, ImageTransform trainTransform, ImageTransform evalTransform, PretrainingOptions options,
        string? weightsPath = null, string fingerprint = "")
    {
        options.Validate();
        if (model.NumClasses != dataset.LabelNames.Count)
            throw new ArgumentException(
                $"model: expected a classifier with one output per label ({dataset.LabelNames.Count}), got NumClasses = {model.NumClasses}");
        if (train.Count < 2) throw new ArgumentException($"train: expected at least 2 items, got {train.Count}");
        var clock = Stopwatch.StartNew();
        var key = $"{fingerprint}|{options.Describe()}";
        var parallel = options.Parallel;
        var cached = weightsPath is not null ? TryLoad(model, weightsPath, key) : null;
        if (parallel is not null) AgreeOnCache(parallel.Group, cached is not null, weightsPath);
        if (cached is { } history)
        {
            double map = heldOut.Count > 0 ? Evaluate(model, dataset, heldOut, evalTransform, options) : double.NaN;
            model.Eval();
            return new PretrainingResult(history, map, true, weightsPath, clock.Elapsed);
        }

        Torch.ManualSeed(options.Seed);
        var loader = new DataLoader(dataset, train, trainTransform, options.BatchSize, shuffle: true, seed: (ulong)options.Seed,
            workers: options.Workers, dropLast: train.Count > options.BatchSize * (parallel?.Group.WorldSize ?? 1),
            rank: parallel?.Group.Rank ?? 0, worldSize: parallel?.Group.WorldSize ?? 1);
        parallel?.BroadcastFrom(model.Parameters().Concat(model.Buffers()));
        var groups = new List<ParamGroup> { new(model.Parameters(), options.LearningRate, name: "backbone") };
        using var optimizer = options.Optimization.Build(groups, options.LearningRate);
        var schedule = options.Optimization.BuildSchedule(optimizer, options.Epochs);
        var epochs = new List<PretrainingEpoch>();
        long step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double lr = optimizer.ParamGroups[0].Lr;
            model.Train();
            double sum = 0;
            int steps = 0;
            foreach (var batch in loader.Epoch(epoch))
            {
                if (options.MaxStepsPerEpoch is { } max && steps >= max) break;
                if (batch.Size < 2) continue;
                using var scope = Torch.NewScope();
                var images = Torch.FromArray(batch.Images, batch.Size, 3, batch.Height, batch.Width);
                var labels = Torch.FromArray(batch.Labels, batch.Size, batch.LabelCount);
                optimizer.ZeroGrad();
                parallel?.BroadcastFrom(model.Buffers());
                var loss = F.MultiLabelSoftMarginLoss(model.Forward(images), labels);
                double value = loss.ItemDouble();
                step++;
                if (!double.IsFinite(value)) throw Diverged("classification loss", value, epoch, batch.Number, step);
                loss.Backward();
                parallel?.AverageGradients(model.Parameters());
                if (options.ClipNorm > 0)
                {
                    double norm = ClipGrad.Norm(model.Parameters(), options.ClipNorm);
                    if (!double.IsFinite(norm)) throw Diverged("gradient norm", norm, epoch, batch.Number, step);
                }
                optimizer.Step();
                sum += value;
                steps++;
            }
            schedule?.Step();
            if (parallel is not null) sum = MeanOverRanks(parallel.Group, sum);
            bool last = epoch == options.Epochs - 1;
            double? map = heldOut.Count > 0 && (options.EvaluateEachEpoch || last)
                ? Evaluate(model, dataset, heldOut, evalTransform, options)
                : null;
            epochs.Add(new PretrainingEpoch(epoch, steps == 0 ? double.NaN : sum / steps, steps, lr, map));
        }
        model.Eval();
        if (weightsPath is not null && (parallel?.Group.Rank ?? 0) == 0) Save(model, weightsPath, key, epochs);
        return new PretrainingResult(epochs, epochs[^1].HeldOutMap ?? double.NaN, false, weightsPath, clock.Elapsed);
    }

    /// <summary>
    /// Held-out classification mAP (0–100) of the model's logits: ML-GCN's per-class AP (difficult labels skipped),
    /// averaged over the classes that have a positive among the items (a class absent from a small held-out part
    /// would otherwise count as AP 0).
    /// </summary>
    public static double Evaluate(Backbone model, IMultiLabelDataset dataset, IReadOnlyList<int> items, ImageTransform transform,
        PretrainingOptions? options = null)
    {
        options ??= new PretrainingOptions();
        int r = dataset.LabelNames.Count;
        var (scores, _) = BatchInference.Run(model, model.Forward, r, dataset, items, transform, options.EvalBatchSize, Device.CPU,
            options.Workers);
        var targets = new float[scores.Length];
        var present = new bool[r];
        for (int i = 0; i < items.Count; i++)
        {
            var label = dataset[items[i]].Labels;
            for (int c = 0; c < r; c++)
            {
                targets[i * r + c] = label.Difficult[c] ? 0 : label.Positive[c] ? 1 : -1;
                if (label.Positive[c] && !label.Difficult[c]) present[c] = true;
            }
        }
        var ap = ClassificationMetrics.AveragePrecision(scores, targets, items.Count).ClassAp;
        var kept = Enumerable.Range(0, r).Where(c => present[c]).Select(c => ap[c]).ToList();
        return kept.Count == 0 ? double.NaN : 100 * kept.Average();
    }

    // Every rank steps as often, so the mean of the ranks' loss sums over the same step count is the global mean.
    private static double MeanOverRanks(ProcessGroup group, double sum)
    {
        using var t = Torch.FromArray(new[] { sum }, 1);
        group.AllReduce(t);
        return t.ToArray<double>()[0] / group.WorldSize;
    }

    // A rank that found cached weights returns at once; one that did not trains and waits for peers that never come.
    private static void AgreeOnCache(ProcessGroup group, bool loaded, string? path)
    {
        using var lo = Torch.FromArray(new[] { loaded ? 1L : 0L }, 1);
        using var hi = Torch.FromArray(new[] { loaded ? 1L : 0L }, 1);
        group.AllReduce(lo, ReduceOp.Min);
        group.AllReduce(hi, ReduceOp.Max);
        if (lo.ToArray<long>()[0] != hi.ToArray<long>()[0])
            throw new InvalidOperationException(
                $"rank {group.Rank}: some ranks found the pre-trained weights {path} and others did not (this rank: {(loaded ? "found" : "not found")}); " +
                "share the folder between machines, or let every rank train");
    }

    private static TrainingDivergedException Diverged(string what, double value, int epoch, int batch, long step) =>
        new($"{what} is {value} at step {step} (epoch {epoch + 1}, batch {batch}) of classification pre-training (expected a finite value); " +
            "nothing was saved: lower PretrainingOptions.LearningRate", epoch, batch, step, value);

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static List<PretrainingEpoch>? TryLoad(Backbone model, string path, string key)
    {
        if (!File.Exists(path)) return null;
        using (var file = SafeTensorsFile.Open(path))
        {
            if (!file.Metadata.TryGetValue("format", out var f) || f != Format) return null;
            if (!file.Metadata.TryGetValue(FingerprintKey, out var fp) || fp != key) return null;
            var history = file.Metadata.TryGetValue(HistoryKey, out var h) ? JsonSerializer.Deserialize<List<PretrainingEpoch>>(h, Json) : null;
            using var scope = Torch.NewScope();
            model.LoadSafeTensors(path, strict: true);
            return history ?? [];
        }
    }

    private static void Save(Backbone model, string path, string key, List<PretrainingEpoch> history)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        model.SaveSafeTensors(tmp, new Dictionary<string, string>
        {
            ["format"] = Format,
            [FingerprintKey] = key,
            [HistoryKey] = JsonSerializer.Serialize(history, Json),
        });
        File.Move(tmp, path, overwrite: true);
    }
}
