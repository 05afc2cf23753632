namespace Lah.Torch.NN;

/// <summary>Applies its children in order; they are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    public Sequential(IEnumerable<Module> layers) : this(layers.ToArray()) { }

    public int Count => _layers.Count;

    public Module this[int index] => _layers[index];

    /// <summary>Appends a layer under the next index name. Returns this.</summary>
    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>
    /// Chains the layers. Intermediate results stay owned by the current dispose scope (or the caller) as with any op;
    /// the input is never disposed.
    /// </summary>
    public override Tensor Forward(Tensor x)
    {
        var y = x;
        foreach (var l in _layers) y = l.Forward(y);
        return y;
    }
}
