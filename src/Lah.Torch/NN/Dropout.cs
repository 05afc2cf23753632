namespace Lah.Torch.NN;

/// <summary>
/// Inverted dropout in training mode, identity in eval mode; masks come from <see cref="Module.Generator"/> (the
/// constructor's <paramref name="generator"/> or <see cref="Module.UseGenerator"/>; null: the global generator).
/// </summary>
public sealed class Dropout : Module
{
    public double P { get; }

    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p is < 0 or > 1 || double.IsNaN(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must lie in [0, 1]");
        P = p;
        UseGenerator(generator);
    }

    public override Tensor Forward(Tensor x) => F.Dropout(x, P, IsTraining, Generator);
}
