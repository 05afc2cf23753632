namespace Lah.Training.EndToEnd;

/// <summary>Reports nothing (tests, benchmarks, redirected output).</summary>
public sealed class NullProgress : ITrainingProgress
{
    public static NullProgress Instance { get; } = new();

    public void Step(int epoch, int epochs, int batch, int batches, long step, long totalSteps, double loss, double imagesPerSecond) { }

    public void Message(string text) { }
}
