namespace Lah.Torch.Optim;

/// <summary>lr = base · gamma^⌊epoch / stepSize⌋.</summary>
public sealed class StepLR : LRScheduler
{
    public int StepSize { get; }
    public double Gamma { get; }

    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, long lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "step size must be positive");
        (StepSize, Gamma) = (stepSize, gamma);
        Step();
    }

    public override double LrAt(double baseLr, long epoch) => baseLr * Math.Pow(Gamma, Math.Floor((double)epoch / StepSize));
}
