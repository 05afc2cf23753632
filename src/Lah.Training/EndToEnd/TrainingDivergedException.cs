namespace Lah.Training.EndToEnd;

/// <summary>The loss (or the gradient norm) became NaN or infinite; nothing was written after the last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message, int epoch, int batch, long step, double value)
    : Exception(message)
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
    public long Step { get; } = step;
    public double Value { get; } = value;
}
