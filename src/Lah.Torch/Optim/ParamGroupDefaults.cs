namespace Lah.Torch.Optim;

/// <summary>An optimizer's default hyper-parameters, applied to the options a <see cref="ParamGroup"/> leaves unset.</summary>
public sealed record ParamGroupDefaults(
    double Lr,
    double Momentum = 0,
    double Dampening = 0,
    double WeightDecay = 0,
    bool Nesterov = false,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    bool Amsgrad = false);
