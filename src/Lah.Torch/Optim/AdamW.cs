namespace Lah.Torch.Optim;

/// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter): p ← p·(1 − lr·wd) before the Adam step; wd defaults to 0.01.</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    protected override bool DecoupledWeightDecay => true;
}
