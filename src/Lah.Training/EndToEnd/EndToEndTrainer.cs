using System.Diagnostics;
using System.Text.Json;
using Lah.Data;
using Lah.Hashing.Losses;
using Lah.Retrieval.Metrics;
using Lah.Torch;
using Lah.Torch.Distributed;
using Lah.Torch.Optim;
using Lah.Torch.Serialization;

namespace Lah.Training.EndToEnd;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Trains backbone and hash head together: loader → backbone (pooled) → head → Cauchy loss → SGD with the backbone at
/// lr·lrp, gradient clipping over every parameter. Each epoch it evaluates under the chosen protocol, keeps the
/// weights of the best epoch by validation MAP (test loss or test MAP only as explicit options) and checkpoints
/// atomically; a run killed at any point and resumed ends with exactly the metrics of an uninterrupted one.
/// </summary>
public sealed class EndToEndTrainer : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string BestFile = "best.safetensors";
    public const string HistoryFile = "history.json";

    private readonly HashingNetwork _network;
    private readonly CauchyHashLoss _loss;
    private readonly EndToEndOptions _options;
    private readonly TrainingHooks _hooks;
    private readonly SGD _optimizer;
    private readonly List<(ParamGroup Group, double BaseLr)> _groups = [];
    private readonly Device _device;
    // The run's own stream for dropout (seeded at a fresh start, restored on resume), untouched by other code.
    private readonly Generator _generator;
    private Dictionary<string, Tensor>? _bestInMemory;

    public EndToEndTrainer(HashingNetwork network, CauchyHashLoss loss, EndToEndOptions options, TrainingHooks? hooks = null)
    {
        options.Validate();
        (_network, _loss, _options, _hooks) = (network, loss, options, hooks ?? new TrainingHooks());
        _device = ResolveDevice(options.Device);
        network.To(_device);
        var groups = new List<ParamGroup>();
        void Add(string name, IEnumerable<Tensor> parameters, double lr)
        {
            var g = new ParamGroup(parameters, lr, name: name);
            groups.Add(g);
            _groups.Add((g, lr));
        }
        Add("backbone", network.Backbone.Parameters(), options.LearningRate * options.BackboneLrMultiplier);
        foreach (var g in network.Head.OptimizedGroups()) Add(g.Name, g.Parameters, options.LearningRateOf(g.Name));
        _optimizer = new SGD(groups, options.LearningRate, momentum: options.Momentum, weightDecay: options.WeightDecay);
        _generator = new Generator(options.Seed);
    }

    /// <summary>"cpu", "cuda", "cuda:N"; CUDA where there is none is an error naming the option.</summary>
    public static Device ResolveDevice(string text)
    {
        Device device;
        try
        {
            device = Device.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"EndToEndOptions.Device: expected \"cpu\", \"cuda\" or \"cuda:N\", got \"{text}\"", e);
        }
        if (device.Type == DeviceType.Meta)
            throw new ArgumentException(
                $"EndToEndOptions.Device: \"{text}\" holds no values, and the trainer reads the loss every step; test device placement on meta with a step by hand");
        if (device.Type == DeviceType.CUDA && device.Index >= Device.CudaDeviceCount)
            throw new InvalidOperationException(
                $"EndToEndOptions.Device: \"{text}\" asked for, but this machine/libtorch has {Device.CudaDeviceCount} CUDA device(s); " +
                "use \"cpu\", or build against a CUDA libtorch (LIBTORCH=/path/to/libtorch) on a machine with a GPU");
        return device;
    }

    // Where to write: only rank 0 writes under data parallelism. Every rank reads (resume) from ReadPathOf.
    private string? PathOf(string file) => Rank == 0 ? ReadPathOf(file) : null;

    private string? ReadPathOf(string file) => _options.CheckpointDir is { } d ? Path.Combine(d, file) : null;

    private int Rank => _options.Parallel?.Group.Rank ?? 0;

    /// <summary>
    /// Trains on <paramref name="split"/>'s training items (less a seeded validation part), evaluates each epoch and
    /// returns with the selected epoch's weights in the network.
    /// </summary>
    public EndToEndResult Fit(IMultiLabelDataset dataset, RetrievalSplit split, ImageTransform trainTransform, ImageTransform evalTransform)
    {
        if (dataset.LabelNames.Count != _network.Head.LabelCount)
            throw new ArgumentException(
                $"dataset '{dataset.Name}': {dataset.LabelNames.Count} labels, but the head was built for {_network.Head.LabelCount}");
        bool leaveOneOut = _options.Protocol == EvaluationProtocol.LahOfficial;
        if (split.LeaveOneOut != leaveOneOut)
            throw new ArgumentException(
                $"split: protocol '{split.Protocol}' is {(split.LeaveOneOut ? "leave-one-out (LAH)" : "query-vs-database (DCH)")}, but " +
                $"EndToEndOptions.Protocol is {_options.Protocol}; the option decides the evaluation: build the split for it or change the option");
        // A missing or corrupt image fails now, listing every bad file, not when the loader reaches it mid-epoch.
        DatasetCheck.Validate(dataset, split.Train.Concat(split.Query).Concat(split.Database));
        var (train, validation) = SplitValidation(split.Train);
        var loader = new DataLoader(dataset, train, trainTransform, _options.BatchSize, shuffle: true, seed: (ulong)_options.Seed,
            workers: _options.Workers, rank: Rank, worldSize: _options.Parallel?.Group.WorldSize ?? 1);
        int batches = Math.Min(loader.BatchCount, _options.MaxStepsPerEpoch ?? int.MaxValue);
        var run = new Run(this, dataset, split, train, validation, loader, batches, evalTransform);
        long totalSteps = (long)batches * _options.Epochs;
        var previous = _network.Generator;
        _network.UseGenerator(_generator);
        try
        {
            return _options.ShowProgress && !Console.IsOutputRedirected
                ? SpectreProgress.Run(totalSteps, run.Execute)
                : run.Execute(NullProgress.Instance);
        }
        finally
        {
            _network.UseGenerator(previous);
        }
    }

    private (int[] Train, int[] Validation) SplitValidation(int[] trainItems)
    {
        if (_options.ValidationFraction == 0) return (trainItems, []);
        int n = trainItems.Length;
        int v = Math.Max(1, (int)Math.Round(n * _options.ValidationFraction));
        if (n - v < _options.BatchSize)
            throw new ArgumentException(
                $"split.Train: {n} items leave {n - v} for training after the validation part of {v}, fewer than one batch ({_options.BatchSize})");
        var perm = Rng.For((ulong)_options.Seed, 0x7A1D).Permutation(n);
        var val = perm[..v].Select(i => trainItems[i]).Order().ToArray();
        var rest = perm[v..].Select(i => trainItems[i]).Order().ToArray();
        return (rest, val);
    }

    /// <summary>One Fit call's working state.</summary>
    private sealed class Run(EndToEndTrainer t, IMultiLabelDataset dataset, RetrievalSplit split, int[] train, int[] validation,
        DataLoader loader, int batches, ImageTransform evalTransform)
    {
        private readonly EndToEndOptions _o = t._options;

        public EndToEndResult Execute(ITrainingProgress progress)
        {
            var state = Start(progress);
            if (_o.Parallel is { } parallel) Synchronise(parallel, state);
            for (int epoch = state.Epoch; epoch < _o.Epochs; epoch++)
            {
                double factor = _o.DecayAt(epoch);
                foreach (var (g, lr) in t._groups) g.Lr = lr * factor;
                state = TrainEpoch(epoch, epoch == state.Epoch ? state : state with { NextBatch = 0, EpochLossSum = 0, EpochSteps = 0 }, progress);
                state = FinishEpoch(epoch, state, progress);
            }
            return Finish(state);
        }

        private TrainerState Start(ITrainingProgress progress)
        {
            var fresh = new TrainerState { Fingerprint = _o.Fingerprint() };
            var path = t.ReadPathOf(CheckpointFile);
            if (path is not null && _o.Resume && File.Exists(path))
            {
                var saved = TrainingCheckpoint.ReadState(path);
                if (saved.Fingerprint != fresh.Fingerprint)
                    throw new InvalidOperationException(
                        $"{path}: the checkpoint was made with other settings ({saved.Fingerprint}); these are ({fresh.Fingerprint}). " +
                        "Use another CheckpointDir or set Resume = false to start over");
                var state = TrainingCheckpoint.Load(path, t._network, t._optimizer, t._generator);
                progress.Message($"resuming from {path}: epoch {state.Epoch + 1}, batch {state.NextBatch}, step {state.GlobalStep}");
                return state;
            }
            t._generator.ManualSeed(_o.Seed);
            return fresh;
        }

        // Ranks must resume from the same point (else they would run different numbers of steps and wait on each other
        // until the timeout); then rank 0's weights and buffers become everyone's.
        private void Synchronise(DataParallel parallel, TrainerState state)
        {
            using var scope = Torch.NewScope();
            var lo = Torch.FromArray(new[] { state.GlobalStep }, 1);
            var hi = Torch.FromArray(new[] { state.GlobalStep }, 1);
            parallel.Group.AllReduce(lo, ReduceOp.Min);
            parallel.Group.AllReduce(hi, ReduceOp.Max);
            long min = lo.ToArray<long>()[0], max = hi.ToArray<long>()[0];
            if (min != max)
                throw new InvalidOperationException(
                    $"rank {t.Rank}: the ranks start from different steps ({min} to {max}; this rank {state.GlobalStep}): every rank must see the " +
                    $"same checkpoint in {_o.CheckpointDir} (share the folder between machines) or none");
            parallel.BroadcastFrom(t._network.Parameters().Concat(t._network.Buffers()));
        }

        private IEnumerable<Batch> Batches(int epoch, int from)
        {
            if (from == 0)
            {
                foreach (var b in loader.Epoch(epoch)) yield return b;
                yield break;
            }
            // Resuming inside an epoch: the same order, from the saved position (items are augmented per (seed, epoch, item)).
            var order = loader.Order(epoch);
            for (int b = from; b < loader.BatchCount; b++) yield return loader.BuildBatch(epoch, order, b);
        }

        private TrainerState TrainEpoch(int epoch, TrainerState state, ITrainingProgress progress)
        {
            t._network.Train();
            var clock = Stopwatch.StartNew();
            long images = 0;
            int position = state.NextBatch;
            foreach (var raw in Batches(epoch, state.NextBatch))
            {
                if (position >= batches) break;
                var batch = t._hooks.TransformBatch is { } tf ? tf(raw) : raw;
                position++;
                if (batch.Size < 2) continue; // the pairwise loss needs two items; a last batch of one is skipped
                double loss = Step(epoch, batch, state);
                images += batch.Size;
                state = state with
                {
                    NextBatch = position,
                    GlobalStep = state.GlobalStep + 1,
                    EpochLossSum = state.EpochLossSum + loss,
                    EpochSteps = state.EpochSteps + 1,
                };
                progress.Step(epoch, _o.Epochs, position, batches, (long)epoch * batches + position, (long)_o.Epochs * batches, loss,
                    images / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
                if (_o.CheckpointEverySteps is { } every && state.GlobalStep % every == 0 && position < batches)
                    Save(state);
                if (t._hooks.StopAfterStep is { } stop && state.GlobalStep >= stop) throw new TrainingStopped(state.GlobalStep);
            }
            return state;
        }

        private double Step(int epoch, Batch batch, TrainerState state)
        {
            using var scope = Torch.NewScope();
            var images = Torch.FromArray(batch.Images, batch.Size, 3, batch.Height, batch.Width);
            var labels = Torch.FromArray(batch.Labels, batch.Size, batch.LabelCount);
            if (t._device != Device.CPU)
            {
                images = images.To(t._device);
                labels = labels.To(t._device);
            }
            t._optimizer.ZeroGrad();
            // DDP's broadcast_buffers: batch-norm statistics follow rank 0, so every rank's network stays identical.
            _o.Parallel?.BroadcastFrom(t._network.Buffers());
            var codes = t._network.Forward(images);
            var terms = t._loss.Compute(codes, labels);
            double total = terms.Total.ItemDouble();
            if (!double.IsFinite(total)) throw Diverged("loss", total, epoch, batch, state);
            terms.Total.Backward();
            // Averaged before clipping, so every rank clips and steps on the same gradients and stays in sync.
            _o.Parallel?.AverageGradients(t._network.Parameters());
            if (_o.ClipNorm > 0)
            {
                double norm = ClipGrad.Norm(t._network.Parameters(), _o.ClipNorm);
                if (!double.IsFinite(norm)) throw Diverged("gradient norm", norm, epoch, batch, state);
            }
            t._optimizer.Step();
            return total;
        }

        private TrainingDivergedException Diverged(string what, double value, int epoch, Batch batch, TrainerState state)
        {
            var path = t.PathOf(CheckpointFile);
            var kept = path is null
                ? "no checkpoint folder is set"
                : File.Exists(path)
                    ? $"the last good checkpoint {path} (epoch {TrainingCheckpoint.ReadState(path).Epoch}, step {TrainingCheckpoint.ReadState(path).GlobalStep}) is kept"
                    : "no checkpoint had been written yet";
            var ids = string.Join(", ", batch.Ids.Take(4)) + (batch.Ids.Length > 4 ? ", …" : "");
            return new TrainingDivergedException(
                $"{what} is {value} at step {state.GlobalStep + 1} (epoch {epoch + 1}, batch {batch.Number} of the epoch's order, items {ids}); " +
                $"training stopped and nothing was saved: {kept}", epoch, batch.Number, state.GlobalStep + 1, value);
        }

        private (double Map, double Precision, double Recall) Evaluate(int[] queries, int[] database, bool leaveOneOut)
        {
            var e = EvaluateFull(queries, database, leaveOneOut, withLoss: false);
            return (e.Map, e.Precision, e.Recall);
        }

        /// <summary>The protocol's metrics; mAP2 under the official protocol; the queries' mean loss when asked.</summary>
        private (double Map, double Precision, double Recall, double? Map2, double? Loss) EvaluateFull(int[] queries, int[] database,
            bool leaveOneOut, bool withLoss)
        {
            var (q, ql) = ImageEncoder.Encode(t._network, dataset, queries, evalTransform, _o.EvalBatchSize, t._device, _o.Workers);
            double? loss = withLoss ? QueryLoss(q.Outputs, ql, queries.Length) : null;
            if (leaveOneOut)
            {
                var r = RetrievalMetrics.LahOfficial(q.Codes, MultiHot.FromFloats(ql, queries.Length, "query labels"), _o.Radius);
                return (r.Map1, r.Precision, r.Recall, r.Map2, loss);
            }
            var (db, dbl) = ImageEncoder.Encode(t._network, dataset, database, evalTransform, _o.EvalBatchSize, t._device, _o.Workers);
            var d = RetrievalMetrics.Dch(q.Codes, q.Outputs, ql, db.Codes, db.Outputs, dbl, _o.Radius);
            return (d.Map, d.Precision, d.Recall, null, loss);
        }

        /// <summary>
        /// The hashing loss of the eval-mode outputs, averaged over batches of EvalBatchSize as the official test loop
        /// averages its batches (a last batch of one has no pair and is left out).
        /// </summary>
        private double QueryLoss(float[] outputs, float[] labels, int n)
        {
            int k = outputs.Length / n, r = labels.Length / n;
            double sum = 0;
            int batches = 0;
            using var noGrad = Torch.NoGrad();
            for (int start = 0; start + 1 < n; start += _o.EvalBatchSize)
            {
                int size = Math.Min(_o.EvalBatchSize, n - start);
                if (size < 2) break;
                using var scope = Torch.NewScope();
                var u = Torch.FromArray(outputs.AsSpan(start * k, size * k).ToArray(), size, k);
                var y = Torch.FromArray(labels.AsSpan(start * r, size * r).ToArray(), size, r);
                sum += t._loss.Compute(u, y).Total.ItemDouble();
                batches++;
            }
            return batches == 0 ? double.NaN : sum / batches;
        }

        private TrainerState FinishEpoch(int epoch, TrainerState state, ITrainingProgress progress)
        {
            if (_o.Parallel is { } parallel)
            {
                // Every rank stepped as often: the ranks' mean loss sum over the same step count is the global mean.
                using var sum = Torch.FromArray(new[] { state.EpochLossSum }, 1);
                parallel.Group.AllReduce(sum);
                state = state with { EpochLossSum = sum.ToArray<double>()[0] / parallel.Group.WorldSize };
            }
            double? valMap = validation.Length > 0 ? Evaluate(validation, train, false).Map : null;
            bool test = _o.EvaluateTestEachEpoch || _o.Selection.NeedsTest();
            (double Map, double Precision, double Recall, double? Map2, double? Loss)? tm =
                test ? EvaluateFull(split.Query, split.Database, _o.Protocol == EvaluationProtocol.LahOfficial, withLoss: true) : null;
            var record = new EpochRecord(epoch, state.EpochSteps == 0 ? double.NaN : state.EpochLossSum / state.EpochSteps,
                state.EpochSteps, t._groups.Count > 1 ? t._groups[1].Group.Lr : t._groups[0].Group.Lr, valMap, tm?.Map, tm?.Precision, tm?.Recall,
                tm?.Map2, tm?.Loss);
            double score = _o.Selection.Score(record);
            // NaN (no relevant item in any ball) never beats a number; the first epoch of a tie wins.
            bool best = ModelSelectionRules.Improves(score, state.BestEpoch, state.BestScore);
            if (best) SaveBest();
            state = state with
            {
                Epoch = epoch + 1,
                NextBatch = 0,
                EpochLossSum = 0,
                EpochSteps = 0,
                History = [.. state.History, record],
                BestEpoch = best ? epoch : state.BestEpoch,
                BestScore = best ? score : state.BestScore,
            };
            Save(state);
            progress.Message($"epoch {epoch + 1}: loss {record.MeanLoss:F4}, validation MAP {valMap:F4}, test MAP {tm?.Map:F4}{(best ? " (best)" : "")}");
            return state;
        }

        private void SaveBest()
        {
            if (t.PathOf(BestFile) is { } path)
            {
                t._network.SaveSafeTensors(path);
                return;
            }
            if (t._bestInMemory is { } old) foreach (var v in old.Values) v.Dispose();
            using var noGrad = Torch.NoGrad();
            t._bestInMemory = t._network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromScopes());
        }

        private void Save(TrainerState state)
        {
            if (t.PathOf(CheckpointFile) is not { } path) return;
            TrainingCheckpoint.Save(path, t._network, t._optimizer, t._generator, state);
            AtomicFile.WriteAllText(t.PathOf(HistoryFile)!, JsonSerializer.Serialize(state.History, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        }

        private EndToEndResult Finish(TrainerState state)
        {
            if (state.BestEpoch < 0) throw new InvalidOperationException("no epoch finished: nothing to select");
            if (t.PathOf(BestFile) is { } path) t._network.LoadSafeTensors(path, strict: true);
            else if (t._bestInMemory is { } best) t._network.LoadStateDict(best, strict: true);
            var selected = state.History[state.BestEpoch];
            var (map, p, r) = selected.TestMap is { } m
                ? (m, selected.TestPrecision!.Value, selected.TestRecall!.Value)
                : Evaluate(split.Query, split.Database, _o.Protocol == EvaluationProtocol.LahOfficial);
            return new EndToEndResult(state.History, state.BestEpoch, _o.Selection, map, p, r, (int)state.GlobalStep);
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _generator.Dispose();
        if (_bestInMemory is { } best) foreach (var v in best.Values) v.Dispose();
    }
}
