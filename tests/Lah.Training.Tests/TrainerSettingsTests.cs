using Xunit;

namespace Lah.Training.Tests;

public sealed class TrainerSettingsTests
{
    public static IEnumerable<object[]> Bad() =>
    [
        [new TrainerSettings { Epochs = 0 }, "TrainerSettings.Epochs"],
        [new TrainerSettings { MaxStepsPerEpoch = 0 }, "TrainerSettings.MaxStepsPerEpoch"],
        [new TrainerSettings { CheckpointEverySteps = -1 }, "TrainerSettings.CheckpointEverySteps"],
        [new TrainerSettings { ClipNorm = double.NaN }, "TrainerSettings.ClipNorm"],
    ];

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_value_that_cannot_work_is_refused_naming_the_setting(TrainerSettings settings, string field) =>
        Assert.StartsWith(field + ":", Assert.Throws<ArgumentException>(settings.Validate).Message);

    [Fact]
    public void The_defaults_are_valid_and_select_the_last_epoch()
    {
        var s = new TrainerSettings();
        s.Validate();
        Assert.Equal(EpochSelection.LastEpoch, s.Selection);
        Assert.True(s.Resume);
    }
}
