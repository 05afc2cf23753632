namespace Lah.Torch.Optim;

/// <summary>An optimizer's per-parameter state: its step count and named buffers (momentum_buffer, exp_avg, …).</summary>
public sealed class ParamState : IDisposable
{
    private readonly Dictionary<string, Tensor> _buffers = [];

    public long Step { get; set; }

    public IReadOnlyDictionary<string, Tensor> Buffers => _buffers;

    public Tensor? Get(string name) => _buffers.GetValueOrDefault(name);

    /// <summary>Stores <paramref name="buffer"/> (taken out of dispose scopes), disposing any previous one.</summary>
    public Tensor Set(string name, Tensor buffer)
    {
        if (_buffers.TryGetValue(name, out var old) && !ReferenceEquals(old, buffer)) old.Dispose();
        _buffers[name] = buffer.DetachFromScopes();
        return buffer;
    }

    public void Dispose()
    {
        foreach (var b in _buffers.Values) b.Dispose();
        _buffers.Clear();
    }
}
