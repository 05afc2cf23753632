using Lah.Torch.Serialization;

namespace Lah.Torch.NN;

/// <summary>
/// Base of every layer and model (torch.nn.Module): named parameters, buffers and child modules with torchvision-style
/// dotted names, training mode, device moves, state dicts and safetensors checkpoints. Parameters and buffers are
/// taken out of dispose scopes when registered and live until the module is disposed.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<string> _parameterOrder = [];
    private readonly Dictionary<string, Tensor?> _parameters = [];
    private readonly List<string> _bufferOrder = [];
    private readonly Dictionary<string, Tensor?> _buffers = [];
    private readonly HashSet<string> _nonPersistent = [];
    private readonly List<string> _moduleOrder = [];
    private readonly Dictionary<string, Module> _modules = [];
    private bool _disposed;

    public bool IsTraining { get; private set; } = true;

    public abstract Tensor Forward(Tensor x);

    // ---- registration ---------------------------------------------------------------------------------------------

    private void CheckName(string name, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: {kind} name '{name}' must not contain '.'", nameof(name));
        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _modules.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is already registered", nameof(name));
    }

    /// <summary>
    /// Registers a trainable leaf tensor (null: an absent optional parameter such as a disabled bias). The tensor leaves
    /// any dispose scope, gets requires_grad = true, and is disposed with the module. Returns it.
    /// </summary>
    public Tensor? RegisterParameter(string name, Tensor? parameter)
    {
        CheckName(name, "parameter");
        if (parameter is not null)
        {
            if (!parameter.IsLeaf)
                throw new ArgumentException($"{GetType().Name}: parameter '{name}' must be a leaf tensor (use Detach())", nameof(parameter));
            parameter.DetachFromScopes();
            if (!parameter.RequiresGrad) parameter.RequiresGrad = true;
        }
        _parameterOrder.Add(name);
        _parameters[name] = parameter;
        return parameter;
    }

    /// <summary>
    /// Registers a non-trainable state tensor (running statistics, fixed matrices). Persistent buffers are part of the
    /// state dict. The tensor leaves any dispose scope and is disposed with the module. Returns it.
    /// </summary>
    public Tensor? RegisterBuffer(string name, Tensor? buffer, bool persistent = true)
    {
        CheckName(name, "buffer");
        buffer?.DetachFromScopes();
        _bufferOrder.Add(name);
        _buffers[name] = buffer;
        if (!persistent) _nonPersistent.Add(name);
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/> (its names get the prefix "name."). Returns it.</summary>
    public T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name, "module");
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{GetType().Name}: a module cannot contain itself");
        _moduleOrder.Add(name);
        _modules[name] = module;
        if (Generator is { } g && module.Generator is null) module.UseGenerator(g);
        return module;
    }

    /// <summary>This module's own parameter <paramref name="name"/> (null when registered as absent).</summary>
    protected Tensor? GetParameter(string name) =>
        _parameters.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"{GetType().Name}: no parameter '{name}'");

    protected Tensor? GetBuffer(string name) =>
        _buffers.TryGetValue(name, out var b) ? b : throw new KeyNotFoundException($"{GetType().Name}: no buffer '{name}'");

    // ---- traversal ------------------------------------------------------------------------------------------------

    /// <summary>Direct children in registration order.</summary>
    public IReadOnlyList<Module> Children => _moduleOrder.Select(n => _modules[n]).ToList();

    public IEnumerable<(string Name, Module Module)> NamedChildren() => _moduleOrder.Select(n => (n, _modules[n]));

    /// <summary>This module (name "") and every descendant, depth first, each once.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return NamedModulesCore("", seen);
    }

    private IEnumerable<(string Name, Module Module)> NamedModulesCore(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this)) yield break;
        yield return (prefix, this);
        foreach (var name in _moduleOrder)
            foreach (var m in _modules[name].NamedModulesCore(Join(prefix, name), seen))
                yield return m;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Every parameter of the tree with its dotted name (`layer1.0.conv1.weight`), shared ones once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var name in m._parameterOrder)
                if (m._parameters[name] is { } p && seen.Add(p)) yield return (Join(prefix, name), p);
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of the tree (persistent or not) with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var name in m._bufferOrder)
                if (m._buffers[name] is { } b && seen.Add(b)) yield return (Join(prefix, name), b);
    }

    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Buffer);

    // ---- modes and devices ----------------------------------------------------------------------------------------

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public void Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = training;
    }

    public void Eval() => Train(false);

    /// <summary>
    /// The generator this module draws from in <see cref="Forward"/> (dropout masks), or null for libtorch's global one.
    /// Set with <see cref="UseGenerator"/>; construction-time initialisation takes its own generator argument.
    /// </summary>
    public Generator? Generator { get; private set; }

    /// <summary>
    /// Makes this module and every descendant draw their forward-time randomness (dropout) from
    /// <paramref name="generator"/> (null: the global generator), so a model or trainer that owns one is not
    /// disturbed by other code in the process. Borrowed: the module never disposes it, and it must stay alive while the
    /// module trains. Children registered later inherit it.
    /// </summary>
    public void UseGenerator(Generator? generator)
    {
        foreach (var (_, m) in NamedModules()) m.Generator = generator;
    }

    /// <summary>
    /// Moves every parameter, gradient and buffer to <paramref name="device"/> in place: the Tensor objects stay the
    /// same, so references held by layers and optimizers remain valid. Returns this.
    /// </summary>
    public Module To(Device device)
    {
        if (device.Type != DeviceType.CPU) device.EnsureAvailable();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        foreach (var p in Parameters())
        {
            if (p.Device == device) continue;
            var grad = p.Grad;
            var moved = p.To(device);
            p.Grad = null;
            p.SetData_(moved);
            if (grad is not null) p.Grad = grad.To(device);
        }
        foreach (var b in Buffers())
            if (b.Device != device) b.SetData_(b.To(device));
        return this;
    }

    // ---- state dicts ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Parameters and persistent buffers by dotted name, in registration order. The values are the module's own tensors
    /// (not copies): read or copy them, never dispose them.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var name in m._parameterOrder)
                if (m._parameters[name] is { } p) result.TryAdd(Join(prefix, name), p);
            foreach (var name in m._bufferOrder)
                if (m._buffers[name] is { } b && !m._nonPersistent.Contains(name)) result.TryAdd(Join(prefix, name), b);
        }
        return result;
    }

    /// <summary>
    /// Copies <paramref name="stateDict"/>'s values into this tree's parameters and buffers in place (converting dtypes,
    /// e.g. F16 checkpoints into F32 weights, and devices). Strict: the key sets must match exactly. Partial: missing
    /// and unexpected keys are ignored and reported. Shapes must always match. Nothing is copied when it throws.
    /// </summary>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        var optional = OptionalStateKeys();
        var result = CheckKeys(stateDict.Keys, k => stateDict[k].Shape, strict, "state dict", optional);
        var own = StateDict();
        using var noGrad = Torch.NoGrad();
        foreach (var (name, target) in own)
            if (stateDict.TryGetValue(name, out var src)) CopyInto(target, src);
            else if (optional.Contains(name)) target.Zero_();
        NotifyStateLoaded();
        return result;
    }

    /// <summary>
    /// Called on every module of the tree after a state dict was loaded into it, so that state derived from loaded
    /// tensors (not itself in the state dict) can be rebuilt.
    /// </summary>
    protected virtual void OnStateLoaded() { }

    private void NotifyStateLoaded()
    {
        foreach (var (_, m) in NamedModules()) m.OnStateLoaded();
    }

    /// <summary>
    /// State entries that older checkpoints may lack (BatchNorm's num_batches_tracked, absent from torchvision's v1
    /// ResNet weights); as in PyTorch, a missing one is reset to zero instead of failing a strict load.
    /// </summary>
    protected virtual IEnumerable<string> OptionalStateNames => [];

    private HashSet<string> OptionalStateKeys() =>
        NamedModules().SelectMany(m => m.Module.OptionalStateNames.Select(n => Join(m.Name, n))).ToHashSet();

    /// <summary>Loads a safetensors checkpoint tensor by tensor from the memory map (see <see cref="LoadStateDict"/>).</summary>
    public LoadStateDictResult LoadSafeTensors(string path, bool strict = true)
    {
        using var file = SafeTensorsFile.Open(path);
        var optional = OptionalStateKeys();
        var result = CheckKeys(file.Tensors.Select(t => t.Name), k => file[k].Shape, strict, path, optional);
        var own = StateDict();
        using var noGrad = Torch.NoGrad();
        foreach (var (name, target) in own)
        {
            if (!file.Contains(name))
            {
                if (optional.Contains(name)) target.Zero_();
                continue;
            }
            using var src = TensorSafeTensors.Read(file, name);
            CopyInto(target, src);
        }
        NotifyStateLoaded();
        return result;
    }

    /// <summary>
    /// Loads weights from a file in either format, told by its first bytes: safetensors (tensor by tensor from the
    /// memory map) or a PyTorch <c>torch.save</c> state dict (<c>.pth</c>/<c>.pt</c>, read whole through libtorch).
    /// </summary>
    public LoadStateDictResult LoadStateDict(string path, bool strict = true)
    {
        if (WeightsFormats.Detect(path) == WeightsFormat.SafeTensors) return LoadSafeTensors(path, strict);
        var dict = TorchPickle.LoadStateDict(path);
        try
        {
            return LoadStateDict(dict, strict);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    /// <summary>Writes the state dict to <paramref name="path"/> atomically (dtypes as they are).</summary>
    public void SaveSafeTensors(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        TensorSafeTensors.Write(path, StateDict(), metadata);

    // A one-element [1] and a 0-dim scalar are the same value (num_batches_tracked is stored either way).
    private static bool SameShape(long[] a, long[] b) =>
        a.SequenceEqual(b) || (a.Length + b.Length == 1 && a.Aggregate(1L, (x, y) => x * y) == 1 && b.Aggregate(1L, (x, y) => x * y) == 1);

    private static void CopyInto(Tensor target, Tensor src)
    {
        if (target.Dim == src.Dim) target.Copy_(src);
        else
        {
            using var reshaped = src.Reshape(target.Shape);
            target.Copy_(reshaped);
        }
    }

    private LoadStateDictResult CheckKeys(IEnumerable<string> keys, Func<string, long[]> shapeOf, bool strict, string source,
        HashSet<string> optional)
    {
        var own = StateDict();
        var given = keys.ToList();
        var givenSet = given.ToHashSet();
        var missing = own.Keys.Where(k => !givenSet.Contains(k) && !optional.Contains(k)).ToList();
        var unexpected = given.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var k in given)
        {
            if (!own.TryGetValue(k, out var t)) continue;
            var want = t.Shape;
            var got = shapeOf(k);
            if (!SameShape(want, got))
                mismatched.Add($"{k}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
        }
        bool fail = mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0));
        if (fail)
        {
            var parts = new List<string>();
            if (strict && missing.Count > 0) parts.Add($"missing keys: {string.Join(", ", missing)}");
            if (strict && unexpected.Count > 0) parts.Add($"unexpected keys: {string.Join(", ", unexpected)}");
            if (mismatched.Count > 0) parts.Add($"shape mismatches: {string.Join("; ", mismatched)}");
            throw new InvalidDataException(
                $"{source}: cannot load into {GetType().Name}{(strict ? " (strict)" : "")}: {string.Join(" | ", parts)}");
        }
        return new LoadStateDictResult(missing, unexpected);
    }

    // ---- lifetime -------------------------------------------------------------------------------------------------

    /// <summary>Disposes every parameter and buffer of the tree.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Dispose(true);
        foreach (var p in _parameters.Values) p?.Dispose();
        foreach (var b in _buffers.Values) b?.Dispose();
        foreach (var m in _modules.Values) m.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Hook for subclasses holding other disposables.</summary>
    protected virtual void Dispose(bool disposing) { }
}
