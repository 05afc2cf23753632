namespace Lah.Training.EndToEnd;

/// <summary>Receives the trainer's position after every step (a progress bar, a log, or nothing).</summary>
public interface ITrainingProgress
{
    void Step(int epoch, int epochs, int batch, int batches, long step, long totalSteps, double loss, double imagesPerSecond);

    void Message(string text);
}
