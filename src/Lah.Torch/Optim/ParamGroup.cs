namespace Lah.Torch.Optim;

/// <summary>
/// Parameters optimised with their own hyper-parameters (PyTorch's param_groups). Options left null take the
/// optimizer's defaults when the group is handed to it; schedulers then change <see cref="Lr"/> per epoch.
/// </summary>
public sealed class ParamGroup
{
    private double? _lr, _momentum, _dampening, _weightDecay, _beta1, _beta2, _eps;
    private bool? _nesterov, _amsgrad;

    public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? momentum = null, double? weightDecay = null,
        string? name = null, double? dampening = null, bool? nesterov = null, double? beta1 = null, double? beta2 = null,
        double? eps = null, bool? amsgrad = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        if (Parameters.Any(p => p is null)) throw new ArgumentException($"param group '{name}': null parameter");
        (_lr, _momentum, _weightDecay, Name, _dampening, _nesterov, _beta1, _beta2, _eps, _amsgrad) =
            (lr, momentum, weightDecay, name, dampening, nesterov, beta1, beta2, eps, amsgrad);
    }

    public IReadOnlyList<Tensor> Parameters { get; }
    public string? Name { get; }

    private double Get(double? v, string what) =>
        v ?? throw new InvalidOperationException($"param group '{Name}': {what} is not set (give it, or hand the group to an optimizer)");

    public double Lr { get => Get(_lr, "lr"); set => _lr = value; }
    public double Momentum { get => Get(_momentum, "momentum"); set => _momentum = value; }
    public double Dampening { get => Get(_dampening, "dampening"); set => _dampening = value; }
    public double WeightDecay { get => Get(_weightDecay, "weight_decay"); set => _weightDecay = value; }
    public bool Nesterov { get => _nesterov ?? false; set => _nesterov = value; }
    public double Beta1 { get => Get(_beta1, "beta1"); set => _beta1 = value; }
    public double Beta2 { get => Get(_beta2, "beta2"); set => _beta2 = value; }
    public double Eps { get => Get(_eps, "eps"); set => _eps = value; }
    public bool Amsgrad { get => _amsgrad ?? false; set => _amsgrad = value; }

    /// <summary>The lr schedulers start from (set by the first scheduler attached, as PyTorch's initial_lr).</summary>
    public double? InitialLr { get; set; }

    internal void FillDefaults(ParamGroupDefaults d)
    {
        _lr ??= d.Lr;
        _momentum ??= d.Momentum;
        _dampening ??= d.Dampening;
        _weightDecay ??= d.WeightDecay;
        _nesterov ??= d.Nesterov;
        _beta1 ??= d.Beta1;
        _beta2 ??= d.Beta2;
        _eps ??= d.Eps;
        _amsgrad ??= d.Amsgrad;
    }

    /// <summary>Hyper-parameters as named numbers (state dicts).</summary>
    internal IEnumerable<(string Name, double Value)> Hyper()
    {
        if (_lr is { } lr) yield return ("lr", lr);
        if (InitialLr is { } ilr) yield return ("initial_lr", ilr);
        if (_momentum is { } m) yield return ("momentum", m);
        if (_dampening is { } d) yield return ("dampening", d);
        if (_weightDecay is { } w) yield return ("weight_decay", w);
        if (_nesterov is { } n) yield return ("nesterov", n ? 1 : 0);
        if (_beta1 is { } b1) yield return ("beta1", b1);
        if (_beta2 is { } b2) yield return ("beta2", b2);
        if (_eps is { } e) yield return ("eps", e);
        if (_amsgrad is { } a) yield return ("amsgrad", a ? 1 : 0);
    }

    internal void SetHyper(string name, double value)
    {
        switch (name)
        {
            case "lr": _lr = value; break;
            case "initial_lr": InitialLr = value; break;
            case "momentum": _momentum = value; break;
            case "dampening": _dampening = value; break;
            case "weight_decay": _weightDecay = value; break;
            case "nesterov": _nesterov = value != 0; break;
            case "beta1": _beta1 = value; break;
            case "beta2": _beta2 = value; break;
            case "eps": _eps = value; break;
            case "amsgrad": _amsgrad = value != 0; break;
            default: throw new KeyNotFoundException($"unknown param group hyper-parameter '{name}'");
        }
    }
}
