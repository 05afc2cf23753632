using System.Globalization;
using Lah.Torch.Serialization;

namespace Lah.Torch.Optim;

/// <summary>
/// Base of the optimizers (torch.optim.Optimizer): parameter groups with their own hyper-parameters, per-parameter
/// state, Step/ZeroGrad, and a state dict of named tensors (safetensors-ready) from which training resumes bit-exactly.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> _groups = [];
    private readonly Dictionary<Tensor, ParamState> _state = new(ReferenceEqualityComparer.Instance);

    protected Optimizer(IEnumerable<ParamGroup> groups, ParamGroupDefaults defaults)
    {
        Defaults = defaults;
        foreach (var g in groups) AddParamGroup(g);
        if (_groups.Count == 0) throw new ArgumentException($"{GetType().Name}: got no parameter groups");
    }

    public ParamGroupDefaults Defaults { get; }

    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Adds a group (fine-tuning); its unset options take the defaults. A parameter may belong to one group only.</summary>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in _groups.SelectMany(g => g.Parameters)) seen.Add(p);
        foreach (var p in group.Parameters)
            if (!seen.Add(p))
                throw new ArgumentException($"{GetType().Name}: a parameter appears in more than one group (group '{group.Name}')");
        group.FillDefaults(Defaults);
        Validate(group);
        _groups.Add(group);
    }

    /// <summary>Checks a group's hyper-parameters (after defaults) for this optimizer.</summary>
    protected virtual void Validate(ParamGroup g)
    {
        if (!(g.Lr >= 0)) throw new ArgumentException($"{GetType().Name}: group '{g.Name}': lr must be ≥ 0, got {g.Lr}");
        if (!(g.WeightDecay >= 0))
            throw new ArgumentException($"{GetType().Name}: group '{g.Name}': weight decay must be ≥ 0, got {g.WeightDecay}");
    }

    /// <summary>The state of <paramref name="parameter"/>, created empty on first use.</summary>
    protected ParamState StateOf(Tensor parameter)
    {
        if (!_state.TryGetValue(parameter, out var s)) _state[parameter] = s = new ParamState();
        return s;
    }

    /// <summary>Updates one parameter given its gradient; runs under no-grad inside a dispose scope.</summary>
    protected abstract void Update(ParamGroup group, Tensor parameter, Tensor grad, ParamState state);

    /// <summary>One optimisation step over every parameter that has a gradient. Temporaries are freed before it returns.</summary>
    public void Step()
    {
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        foreach (var g in _groups)
            foreach (var p in g.Parameters)
            {
                var grad = p.Grad;
                if (grad is null) continue;
                Update(g, p, grad, StateOf(p));
            }
    }

    /// <summary>Clears every parameter's gradient: drops it (default, as PyTorch ≥ 2) or zeroes it in place.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in _groups.SelectMany(g => g.Parameters)) p.ZeroGrad(setToNone);
    }

    // ---- state dict -----------------------------------------------------------------------------------------------

    private static string Key(params object[] parts) => string.Join('.', parts.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture)));

    /// <summary>
    /// The optimizer state as named tensors, PyTorch-like: <c>param_groups.{g}.{lr|momentum|…}</c> (F64 scalars),
    /// <c>param_groups.{g}.num_params</c>, and per parameter (numbered across groups in order)
    /// <c>state.{i}.step</c> (I64) and <c>state.{i}.{momentum_buffer|exp_avg|exp_avg_sq|max_exp_avg_sq}</c>. The tensors
    /// are copies owned by the caller (a dispose scope frees them).
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        int index = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            result[Key("param_groups", gi, "num_params")] = Torch.Scalar(g.Parameters.Count, DType.Int64);
            foreach (var (name, value) in g.Hyper()) result[Key("param_groups", gi, name)] = Torch.Scalar(value, DType.Float64);
            foreach (var p in g.Parameters)
            {
                if (_state.TryGetValue(p, out var s))
                {
                    result[Key("state", index, "step")] = Torch.Scalar(s.Step, DType.Int64);
                    foreach (var (name, buffer) in s.Buffers) result[Key("state", index, name)] = buffer.Clone();
                }
                index++;
            }
        }
        return result;
    }

    /// <summary>
    /// Restores a state dict from <see cref="StateDict"/> (same group structure): hyper-parameters, steps and buffers
    /// (copied to each parameter's device and dtype). Throws naming the key on unknown keys or shape mismatches.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, string source = "optimizer state dict")
    {
        var parameters = _groups.SelectMany(g => g.Parameters).ToList();
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var key = Key("param_groups", gi, "num_params");
            if (!stateDict.TryGetValue(key, out var n))
                throw new InvalidDataException($"{source}: missing '{key}' (the optimizer has {_groups.Count} groups)");
            if (n.ItemLong() != _groups[gi].Parameters.Count)
                throw new InvalidDataException(
                    $"{source}: '{key}' is {n.ItemLong()}, the optimizer's group {gi} has {_groups[gi].Parameters.Count} parameters");
        }
        var loaded = new Dictionary<Tensor, ParamState>(ReferenceEqualityComparer.Instance);
        try
        {
            foreach (var (key, value) in stateDict)
            {
                var parts = key.Split('.');
                if (parts.Length == 3 && parts[0] == "param_groups" && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var gi))
                {
                    if (gi < 0 || gi >= _groups.Count)
                        throw new InvalidDataException($"{source}: '{key}' names group {gi}, the optimizer has {_groups.Count}");
                    if (parts[2] != "num_params") _groups[gi].SetHyper(parts[2], value.ItemDouble());
                    continue;
                }
                if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pi))
                    throw new InvalidDataException($"{source}: unexpected key '{key}'");
                if (pi < 0 || pi >= parameters.Count)
                    throw new InvalidDataException($"{source}: '{key}' names parameter {pi}, the optimizer has {parameters.Count}");
                var p = parameters[pi];
                if (!loaded.TryGetValue(p, out var s)) loaded[p] = s = new ParamState();
                if (parts[2] == "step")
                {
                    s.Step = value.ItemLong();
                    continue;
                }
                if (!value.Shape.SequenceEqual(p.Shape))
                    throw new InvalidDataException(
                        $"{source}: '{key}' is [{string.Join(", ", value.Shape)}], parameter {pi} is [{string.Join(", ", p.Shape)}]");
                using var noGrad = Torch.NoGrad();
                s.Set(parts[2], Torch.Empty(p.Shape, p.DType, p.Device).Copy_(value));
            }
        }
        catch
        {
            foreach (var s in loaded.Values) s.Dispose();
            throw;
        }
        foreach (var s in _state.Values) s.Dispose();
        _state.Clear();
        foreach (var (p, s) in loaded) _state[p] = s;
    }

    /// <summary>Writes <see cref="StateDict"/> to a safetensors file atomically.</summary>
    public void SaveSafeTensors(string path)
    {
        using var scope = Torch.NewScope();
        TensorSafeTensors.Write(path, StateDict());
    }

    public void LoadSafeTensors(string path)
    {
        using var scope = Torch.NewScope();
        LoadStateDict(TensorSafeTensors.ReadAll(path), path);
    }

    public void Dispose()
    {
        foreach (var s in _state.Values) s.Dispose();
        _state.Clear();
        GC.SuppressFinalize(this);
    }
}
