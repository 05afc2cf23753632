using System.Globalization;

namespace Lah.Torch.Optim;

/// <summary>
/// Base of the epoch-wise learning-rate schedules: each group's lr is a closed form of its base lr (the group's
/// initial_lr) and the epoch. Like PyTorch, construction performs the first step (epoch 0); call <see cref="Step()"/>
/// once per epoch after the optimizer's steps.
/// </summary>
public abstract class LRScheduler
{
    private readonly List<double> _baseLrs;

    protected LRScheduler(Optimizer optimizer, long lastEpoch = -1)
    {
        Optimizer = optimizer;
        foreach (var g in optimizer.ParamGroups)
        {
            if (lastEpoch == -1) g.InitialLr ??= g.Lr;
            else if (g.InitialLr is null)
                throw new ArgumentException($"{GetType().Name}: resuming at epoch {lastEpoch} needs initial_lr in group '{g.Name}'");
        }
        _baseLrs = optimizer.ParamGroups.Select(g => g.InitialLr!.Value).ToList();
        LastEpoch = lastEpoch;
    }

    public Optimizer Optimizer { get; }

    /// <summary>The epoch whose learning rates are in effect.</summary>
    public long LastEpoch { get; private set; }

    public IReadOnlyList<double> BaseLrs => _baseLrs;

    /// <summary>The learning rates last set, one per group.</summary>
    public IReadOnlyList<double> GetLastLr() => Optimizer.ParamGroups.Select(g => g.Lr).ToList();

    /// <summary>The closed-form learning rate at <paramref name="epoch"/> for a group starting at <paramref name="baseLr"/>.</summary>
    public abstract double LrAt(double baseLr, long epoch);

    /// <summary>Advances one epoch and sets every group's lr.</summary>
    public void Step() => Step(LastEpoch + 1);

    /// <summary>Jumps to <paramref name="epoch"/> and sets every group's lr.</summary>
    public void Step(long epoch)
    {
        LastEpoch = epoch;
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++) groups[i].Lr = LrAt(_baseLrs[i], epoch);
    }

    /// <summary>The schedule's state as named tensors (caller owns): <c>last_epoch</c> (I64) and <c>base_lrs</c> (F64).</summary>
    public Dictionary<string, Tensor> StateDict() => new()
    {
        ["last_epoch"] = Torch.Scalar(LastEpoch, DType.Int64),
        ["base_lrs"] = Torch.FromArray(_baseLrs.ToArray()),
    };

    /// <summary>Restores <see cref="StateDict"/> and sets the groups' learning rates for the restored epoch.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        if (!stateDict.TryGetValue("last_epoch", out var e) || !stateDict.TryGetValue("base_lrs", out var b))
            throw new InvalidDataException($"{GetType().Name} state dict: expected keys last_epoch and base_lrs, got {string.Join(", ", stateDict.Keys)}");
        var baseLrs = b.ToDoubleArray();
        if (baseLrs.Length != _baseLrs.Count)
            throw new InvalidDataException(
                $"{GetType().Name} state dict: base_lrs has {baseLrs.Length} values, the optimizer has {_baseLrs.Count} groups");
        _baseLrs.Clear();
        _baseLrs.AddRange(baseLrs);
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++) groups[i].InitialLr = baseLrs[i];
        Step(e.ItemLong());
    }

    public override string ToString() =>
        $"{GetType().Name}(epoch {LastEpoch}, lr {string.Join(", ", GetLastLr().Select(x => x.ToString("G6", CultureInfo.InvariantCulture)))})";
}
