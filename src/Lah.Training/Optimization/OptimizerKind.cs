namespace Lah.Training.Optimization;

/// <summary>The optimizer a trainer builds over its parameter groups.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum and L2 weight decay (the official LAH/DCH choice).</summary>
    Sgd,

    /// <summary>Adam with L2 weight decay added to the gradient.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay.</summary>
    AdamW,
}
