namespace Lah.Torch.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) as in PyTorch: weight decay is an L2 term added to the gradient (for decoupled decay use
/// <see cref="AdamW"/>); bias-corrected moments; optional AMSGrad.
/// </summary>
public class Adam : Optimizer
{
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false)
        : base(groups, new ParamGroupDefaults(lr, WeightDecay: weightDecay, Beta1: beta1, Beta2: beta2, Eps: eps, Amsgrad: amsgrad))
    {
    }

    /// <summary>True for AdamW: decay multiplies the parameter by (1 − lr·wd) instead of adding wd·p to the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    protected override void Validate(ParamGroup g)
    {
        base.Validate(g);
        if (!(g.Beta1 >= 0 && g.Beta1 < 1) || !(g.Beta2 >= 0 && g.Beta2 < 1))
            throw new ArgumentException($"{GetType().Name}: group '{g.Name}': betas must lie in [0, 1), got ({g.Beta1}, {g.Beta2})");
        if (!(g.Eps >= 0)) throw new ArgumentException($"{GetType().Name}: group '{g.Name}': eps must be ≥ 0, got {g.Eps}");
    }

    protected override void Update(ParamGroup g, Tensor p, Tensor grad, ParamState state)
    {
        long step = ++state.Step;
        if (g.WeightDecay != 0)
        {
            if (DecoupledWeightDecay) p.Mul_(1 - g.Lr * g.WeightDecay);
            else grad = grad.Add(p, g.WeightDecay);
        }
        var expAvg = state.Get("exp_avg") ?? state.Set("exp_avg", Torch.ZerosLike(p));
        var expAvgSq = state.Get("exp_avg_sq") ?? state.Set("exp_avg_sq", Torch.ZerosLike(p));
        expAvg.Mul_(g.Beta1).Add_(grad, 1 - g.Beta1);
        expAvgSq.Mul_(g.Beta2).Addcmul_(grad, grad, 1 - g.Beta2);
        double biasCorrection1 = 1 - Math.Pow(g.Beta1, step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(g.Beta2, step));
        var second = expAvgSq;
        if (g.Amsgrad)
        {
            var max = state.Get("max_exp_avg_sq") ?? state.Set("max_exp_avg_sq", Torch.ZerosLike(p));
            max.Copy_(max.Maximum(expAvgSq));
            second = max;
        }
        var denom = (second.Sqrt() / biasCorrection2Sqrt).Add_(g.Eps);
        p.Addcdiv_(expAvg, denom, -g.Lr / biasCorrection1);
    }
}
