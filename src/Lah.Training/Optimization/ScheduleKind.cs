namespace Lah.Training.Optimization;

/// <summary>An epoch-wise learning-rate schedule (stepped once after every epoch).</summary>
public enum ScheduleKind
{
    /// <summary>The learning rate stays as set.</summary>
    None,

    /// <summary>× gamma every <c>StepSize</c> epochs (StepLR).</summary>
    Step,

    /// <summary>× gamma at each milestone epoch (MultiStepLR; the official `epoch_step`).</summary>
    MultiStep,

    /// <summary>Cosine annealing from the base rate to the minimum rate over the run's epochs (CosineAnnealingLR).</summary>
    Cosine,
}
