namespace Lah.Torch.Optim;

/// <summary>lr = base · gamma^(number of milestones ≤ epoch).</summary>
public sealed class MultiStepLR : LRScheduler
{
    public IReadOnlyList<long> Milestones { get; }
    public double Gamma { get; }

    public MultiStepLR(Optimizer optimizer, IEnumerable<long> milestones, double gamma = 0.1, long lastEpoch = -1)
        : base(optimizer, lastEpoch)
    {
        Milestones = milestones.Order().ToList();
        Gamma = gamma;
        Step();
    }

    public override double LrAt(double baseLr, long epoch) => baseLr * Math.Pow(Gamma, Milestones.Count(m => m <= epoch));
}
