using System.Diagnostics;
using System.Text.Json;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Training.Batches;

namespace Lah.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// The one training loop. Feature mode, end to end and classification pre-training are the same loop over different
/// arguments: a model (<see cref="ITrainable"/>), a loss (<see cref="IHashLoss"/>), a batch source (features or
/// images), an optimizer with its schedule, and <see cref="TrainerSettings"/>. It owns, once: the epoch and step loop,
/// the loss's per-epoch hook, clipping, divergence, data parallelism (the global batch for a loss that couples rows),
/// checkpoints with exact resume, epoch selection as the settings say, and progress events.
/// </summary>
/// <remarks>
/// The schedule is a closed form of the epoch (<see cref="LRScheduler.Step(long)"/> at every epoch start), the
/// batches of an epoch a function of (seed, epoch), and the generator's state is checkpointed, so a run killed at any
/// step and resumed ends with exactly the weights and metrics of an uninterrupted one.
/// </remarks>
public sealed class Trainer : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string BestFile = "best.safetensors";
    public const string HistoryFile = "history.json";

    private static readonly JsonSerializerOptions HistoryJson = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly ITrainable _model;
    private readonly IHashLoss _loss;
    private readonly IBatchSource _source;
    private readonly Optimizer _optimizer;
    private readonly LRScheduler? _schedule;
    private readonly TrainerSettings _settings;
    private readonly IEpochScorer? _scorer;
    private readonly ITrainingEvents _events;
    private readonly TrainingHooks _hooks;
    // The run's own stream for dropout (seeded at a fresh start, restored on resume), untouched by other code.
    private readonly Generator _generator;
    private readonly Device _device;
    private Dictionary<string, Tensor>? _bestInMemory;

    /// <param name="optimizer">built over <paramref name="model"/>'s <see cref="ITrainable.OptimizedGroups"/>; the caller owns it</param>
    /// <param name="schedule">the optimizer's epoch-wise schedule, or null for constant rates</param>
    /// <param name="scorer">scores every epoch; required by <see cref="EpochSelection.BestValidation"/></param>
    public Trainer(ITrainable model, IHashLoss loss, IBatchSource source, Optimizer optimizer, LRScheduler? schedule,
        TrainerSettings settings, IEpochScorer? scorer = null, ITrainingEvents? events = null, TrainingHooks? hooks = null)
    {
        settings.Validate();
        if (settings.Selection == EpochSelection.BestValidation && scorer is null)
            throw new ArgumentException("TrainerSettings.Selection: best-validation needs a scorer of the validation hold-out");
        if (source.LabelCount != model.LabelCount)
            throw new ArgumentException(
                $"labels: the batches have {source.LabelCount} label columns, but the model was built for {model.LabelCount}");
        if (schedule is not null && !ReferenceEquals(schedule.Optimizer, optimizer))
            throw new ArgumentException("schedule: it schedules another optimizer than the one given");
        (_model, _loss, _source, _optimizer, _schedule, _settings, _scorer) = (model, loss, source, optimizer, schedule, settings, scorer);
        _events = events ?? NoEvents.Instance;
        _hooks = hooks ?? new TrainingHooks();
        _generator = new Generator(settings.Seed);
        _device = model.Module.Parameters().FirstOrDefault()?.Device ?? Device.CPU;
    }

    private int Rank => _settings.Parallel?.Group.Rank ?? 0;

    // Every rank reads (resume); only rank 0 writes.
    private string? ReadPath(string file) => _settings.CheckpointDir is { } d ? Path.Combine(d, file) : null;

    private string? WritePath(string file) => Rank == 0 ? ReadPath(file) : null;

    private int BatchesPerEpoch => Math.Min(_source.BatchCount, _settings.MaxStepsPerEpoch ?? int.MaxValue);

    /// <summary>
    /// Trains for <see cref="TrainerSettings.Epochs"/> epochs (resuming from the checkpoint folder when there is a
    /// checkpoint) and returns with the selected epoch's weights in the model.
    /// </summary>
    public TrainingResult Fit()
    {
        var previous = _model.Generator;
        _model.UseGenerator(_generator);
        try
        {
            var state = Start();
            if (_settings.Parallel is { } parallel) Synchronise(parallel, state);
            for (int epoch = state.Epoch; epoch < _settings.Epochs; epoch++)
            {
                state = TrainEpoch(epoch, state);
                state = FinishEpoch(epoch, state);
            }
            return Finish(state);
        }
        finally
        {
            _model.UseGenerator(previous);
        }
    }

    private TrainerState Start()
    {
        var fresh = new TrainerState { Fingerprint = _settings.Describe() };
        var path = ReadPath(CheckpointFile);
        if (path is null || !_settings.Resume || !File.Exists(path))
        {
            _generator.ManualSeed(_settings.Seed);
            return fresh;
        }
        var saved = TrainingCheckpoint.ReadState(path);
        if (saved.Fingerprint != fresh.Fingerprint)
            throw new InvalidOperationException(
                $"{path}: the checkpoint was made with other settings ({saved.Fingerprint}); these are ({fresh.Fingerprint}). " +
                "Use another checkpoint folder or turn resuming off to start over");
        var state = TrainingCheckpoint.Load(path, _model.Module, _optimizer, _generator);
        _events.Message($"resuming from {path}: epoch {state.Epoch + 1}, batch {state.NextBatch}, step {state.GlobalStep}");
        return state;
    }

    // Ranks must resume from the same point (else they would run different numbers of steps and wait on each other
    // until the timeout); then rank 0's weights and buffers become everyone's.
    private void Synchronise(Lah.Torch.Distributed.DataParallel parallel, TrainerState state)
    {
        var (min, max) = parallel.Group.MinMaxOverRanks(state.GlobalStep);
        if (min != max)
            throw new InvalidOperationException(
                $"rank {Rank}: the ranks start from different steps ({min} to {max}; this rank {state.GlobalStep}): every rank must see the " +
                $"same checkpoint in {_settings.CheckpointDir} (share the folder between machines) or none");
        parallel.BroadcastFrom(_model.Module.Parameters().Concat(_model.Module.Buffers()));
    }

    private TrainerState TrainEpoch(int epoch, TrainerState state)
    {
        _schedule?.Step(epoch);
        _loss.BeginEpoch(epoch);
        _model.Module.Train();
        int batches = BatchesPerEpoch;
        var clock = Stopwatch.StartNew();
        long items = 0;
        foreach (var raw in _source.Epoch(epoch, state.NextBatch))
        {
            if (raw.Number >= batches) break;
            var batch = _hooks.TransformBatch is { } tf ? tf(raw) : raw;
            // A batch of one is skipped whatever the loss: batch norm (and every pairwise loss) needs two.
            double? loss = batch.Size < Math.Max(2, _loss.MinBatch) ? null : Step(epoch, batch, state);
            items += batch.Size;
            state = state with
            {
                NextBatch = raw.Number + 1,
                GlobalStep = state.GlobalStep + (loss is null ? 0 : 1),
                EpochLossSum = state.EpochLossSum + (loss ?? 0),
                EpochSteps = state.EpochSteps + (loss is null ? 0 : 1),
            };
            if (loss is not { } value) continue;
            _events.Step(new StepEvent(epoch, _settings.Epochs, state.NextBatch, batches, (long)epoch * batches + state.NextBatch,
                (long)_settings.Epochs * batches, value, items / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            if (_settings.CheckpointEverySteps is { } every && state.GlobalStep % every == 0 && state.NextBatch < batches)
                Save(state);
            if (_hooks.StopAfterStep is { } stop && state.GlobalStep >= stop) throw new TrainingStopped(state.GlobalStep);
        }
        return state;
    }

    private double Step(int epoch, TrainingBatch batch, TrainerState state)
    {
        using var scope = Torch.NewScope();
        var input = Torch.FromArray(batch.Input, batch.Shape);
        var labels = Torch.FromArray(batch.Labels, batch.Size, batch.LabelCount);
        batch.Release?.Invoke(); // copied: the source may refill its buffers
        if (_device != Device.CPU)
        {
            input = input.To(_device);
            labels = labels.To(_device);
        }
        _optimizer.ZeroGrad();
        var parallel = _settings.Parallel is { Group.WorldSize: > 1 } p ? p : null;
        // DDP's broadcast_buffers: batch-norm statistics follow rank 0, so every rank's model stays identical.
        parallel?.BroadcastFrom(_model.Module.Buffers());
        var output = _model.Forward(input);
        // A loss that couples rows sees the global batch, gradients flowing through this rank's rows only; the model
        // itself (batch norm included) ran on this rank's slice, as under DDP.
        bool global = parallel is not null && _loss.NeedsGlobalBatch;
        if (global)
        {
            var all = parallel!.GatherBatch([output.Fused, output.Codes, labels]);
            (output, labels) = (new HeadOutput(all[0], all[1]), all[2]);
        }
        var value = _loss.Compute(output, labels);
        double total = value.Total.ItemDouble();
        if (!double.IsFinite(total))
        {
            var parts = value.Parts.Count > 0 ? $" ({string.Join(", ", value.Parts.Select(p => $"{p.Name} {p.Value.ItemDouble()}"))})" : "";
            throw Diverged($"loss ({_loss.Name}) is {total}{parts}", total, epoch, batch, state);
        }
        value.Total.Backward();
        // Reduced before clipping, so every rank clips and steps on the same gradients and stays in sync. Either way the
        // result is one process's gradient on the global batch. A global-batch loss L(U_0; …; U_{N−1}) is the same value
        // on every rank, and rank r's backward reached θ only through its own rows U_r: its gradient is the term
        // (∂L/∂U_r)(∂U_r/∂θ) of one process's Σ_r (∂L/∂U_r)(∂U_r/∂θ), so the terms are summed (DDP's average would
        // give 1/N of it; back-propagating N·L and averaging would be the same up to rounding, the sum needs neither).
        // A per-row mean over equal slices is L = (1/N) Σ_r L_r(U_r), whose gradient is the mean of the ranks' ∂L_r/∂θ:
        // averaged.
        if (parallel is not null)
        {
            if (global) parallel.SumGradients(_model.Module.Parameters());
            else parallel.AverageGradients(_model.Module.Parameters());
        }
        if (_settings.ClipNorm > 0)
        {
            double norm = ClipGrad.Norm(_model.ClippedParameters(), _settings.ClipNorm);
            if (!double.IsFinite(norm)) throw Diverged($"gradient norm is {norm}", norm, epoch, batch, state);
        }
        _optimizer.Step();
        return total;
    }

    private TrainingDivergedException Diverged(string what, double value, int epoch, TrainingBatch batch, TrainerState state)
    {
        var path = ReadPath(CheckpointFile);
        string kept;
        if (path is null) kept = "no checkpoint folder is set";
        else if (File.Exists(path))
        {
            var saved = TrainingCheckpoint.ReadState(path);
            kept = $"the last good checkpoint {path} (epoch {saved.Epoch}, step {saved.GlobalStep}) is kept";
        }
        else kept = "no checkpoint had been written yet";
        var items = string.Join(", ", batch.Items.Take(4)) + (batch.Items.Length > 4 ? ", …" : "");
        return new TrainingDivergedException(
            $"{what} at step {state.GlobalStep + 1} (epoch {epoch + 1}, batch {batch.Number} of the epoch's order, items {items}); " +
            $"training stopped and nothing was saved: {kept}. Lower the learning rate or check the data for NaN",
            epoch, batch.Number, state.GlobalStep + 1, value);
    }

    private TrainerState FinishEpoch(int epoch, TrainerState state)
    {
        double lossSum = _settings.Parallel is { } parallel ? parallel.Group.MeanOverRanks(state.EpochLossSum) : state.EpochLossSum;
        double lr = _optimizer.ParamGroups[^1].Lr; // the head's rate, never the backbone's multiplied one (EpochRecord)
        var score = EpochScore.None;
        if (_scorer is not null)
        {
            _model.Module.Eval();
            try
            {
                score = _scorer.Score(epoch);
            }
            finally
            {
                _model.Module.Train();
            }
        }
        var record = new EpochRecord(epoch, state.EpochSteps == 0 ? double.NaN : lossSum / state.EpochSteps, state.EpochSteps, lr,
            score.Metrics, score.Selection);
        bool best = _settings.Selection == EpochSelection.BestValidation && Improves(score.Selection, state.BestScore);
        if (best) KeepBest();
        state = state with
        {
            Epoch = epoch + 1,
            NextBatch = 0,
            EpochLossSum = 0,
            EpochSteps = 0,
            History = [.. state.History, record],
            BestEpoch = best ? epoch : state.BestEpoch,
            BestScore = best ? score.Selection : state.BestScore,
        };
        Save(state);
        _events.Epoch(record);
        return state;
    }

    /// <summary>NaN never wins, and the first epoch of a tie is kept.</summary>
    public static bool Improves(double score, double best) => !double.IsNaN(score) && (double.IsNaN(best) || score > best);

    private void KeepBest()
    {
        if (_settings.CheckpointDir is not null)
        {
            if (WritePath(BestFile) is { } path) _model.Module.SaveSafeTensors(path);
            return;
        }
        if (_bestInMemory is { } old) foreach (var v in old.Values) v.Dispose();
        using var noGrad = Torch.NoGrad();
        _bestInMemory = _model.Module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromScopes());
    }

    private void Save(TrainerState state)
    {
        if (WritePath(CheckpointFile) is not { } path) return;
        TrainingCheckpoint.Save(path, _model.Module, _optimizer, _generator, state);
        Lah.Common.AtomicFile.WriteAllText(WritePath(HistoryFile)!, JsonSerializer.Serialize(state.History, HistoryJson));
    }

    private TrainingResult Finish(TrainerState state)
    {
        int last = state.History.Count - 1;
        if (_settings.Selection == EpochSelection.LastEpoch || last < 0) return new TrainingResult(state.History, last, state.GlobalStep);
        if (state.BestEpoch < 0)
        {
            _events.Message($"no epoch scored a validation value: the last epoch ({last + 1}) is kept");
            return new TrainingResult(state.History, last, state.GlobalStep) { SelectionFellBack = true };
        }
        if (state.BestEpoch != last)
        {
            if (ReadPath(BestFile) is { } path)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"{path}: the best epoch's weights are missing from the checkpoint folder", path);
                _model.Module.LoadSafeTensors(path, strict: true);
            }
            else if (_bestInMemory is { } best) _model.Module.LoadStateDict(best, strict: true);
        }
        return new TrainingResult(state.History, state.BestEpoch, state.GlobalStep);
    }

    public void Dispose()
    {
        _generator.Dispose();
        if (_bestInMemory is { } best) foreach (var v in best.Values) v.Dispose();
    }
}
