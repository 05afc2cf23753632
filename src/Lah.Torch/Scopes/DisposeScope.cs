namespace Lah.Torch;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope, except those moved
/// out (<see cref="Tensor.MoveToOuterScope"/>, <see cref="Keep"/>) or detached (<see cref="Tensor.DetachFromScopes"/>).
/// A training loop opens one per step so its native memory stays flat. Scopes belong to one thread and nest; a scope
/// must not span an await.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    internal DisposeScope? Outer { get; }

    internal DisposeScope()
    {
        Outer = _current;
        _current = this;
    }

    internal static DisposeScope? Current => _current;

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count => _owned.Count;

    internal void Register(Tensor t)
    {
        _owned.Add(t);
        t.OwningScope = this;
    }

    internal void Unregister(Tensor t)
    {
        _owned.Remove(t);
        t.OwningScope = null;
    }

    /// <summary>Moves <paramref name="t"/> to the enclosing scope (or out of all scopes) and returns it.</summary>
    public Tensor Keep(Tensor t)
    {
        if (!ReferenceEquals(t.OwningScope, this)) return t;
        Unregister(t);
        Outer?.Register(t);
        return t;
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("a DisposeScope must be disposed on the thread that created it");
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("DisposeScopes must be disposed innermost first");
        _disposed = true;
        _current = Outer;
        foreach (var t in _owned)
        {
            t.OwningScope = null;
            t.Dispose();
        }
        _owned.Clear();
    }
}
