namespace Lah.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with PyTorch's update order: d = g + wd·p; buf = d on the first step, else
/// buf = momentum·buf + (1 − dampening)·d; d = d + momentum·buf (Nesterov) or buf; p −= lr·d.
/// </summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weightDecay, nesterov)
    {
    }

    public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false)
        : base(groups, new ParamGroupDefaults(lr, Momentum: momentum, Dampening: dampening, WeightDecay: weightDecay, Nesterov: nesterov))
    {
    }

    protected override void Validate(ParamGroup g)
    {
        base.Validate(g);
        if (!(g.Momentum >= 0)) throw new ArgumentException($"SGD: group '{g.Name}': momentum must be ≥ 0, got {g.Momentum}");
        if (g.Nesterov && (g.Momentum <= 0 || g.Dampening != 0))
            throw new ArgumentException($"SGD: group '{g.Name}': Nesterov momentum needs momentum > 0 and zero dampening");
    }

    protected override void Update(ParamGroup g, Tensor p, Tensor grad, ParamState state)
    {
        var d = grad;
        if (g.WeightDecay != 0) d = d.Add(p, g.WeightDecay);
        if (g.Momentum != 0)
        {
            var buf = state.Get("momentum_buffer");
            if (buf is null) buf = state.Set("momentum_buffer", d.Clone());
            else buf.Mul_(g.Momentum).Add_(d, 1 - g.Dampening);
            d = g.Nesterov ? d.Add(buf, g.Momentum) : buf;
        }
        p.Add_(d, -g.Lr);
        state.Step++;
    }
}
