using Spectre.Console;

namespace Lah.Training.EndToEnd;

/// <summary>A Spectre.Console progress bar: epoch, step, loss, images/s in the description; percentage and ETA columns.</summary>
public sealed class SpectreProgress(ProgressTask task) : ITrainingProgress
{
    /// <summary>Runs <paramref name="body"/> under a live progress bar of <paramref name="totalSteps"/> steps.</summary>
    public static T Run<T>(long totalSteps, Func<ITrainingProgress, T> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => body(new SpectreProgress(ctx.AddTask("starting", maxValue: Math.Max(1, totalSteps)))));

    public void Step(int epoch, int epochs, int batch, int batches, long step, long totalSteps, double loss, double imagesPerSecond)
    {
        task.Description = $"epoch {epoch + 1}/{epochs}  step {batch}/{batches}  loss {loss:F4}  {imagesPerSecond:F1} img/s";
        task.Value = step;
    }

    public void Message(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));
}
