namespace Lah.Torch.Optim;

/// <summary>lr = eta_min + (base − eta_min)·(1 + cos(π·epoch/T_max))/2 (SGDR's closed form, no restarts).</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public long TMax { get; }
    public double EtaMin { get; }

    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin = 0, long lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "T_max must be positive");
        (TMax, EtaMin) = (tMax, etaMin);
        Step();
    }

    public override double LrAt(double baseLr, long epoch) =>
        EtaMin + (baseLr - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
