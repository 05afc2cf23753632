using System.Runtime.Serialization;

namespace Lah.Training;

/// <summary>Which epoch's weights a run keeps (a record's <c>evaluation.selection</c>).</summary>
public enum EpochSelection
{
    /// <summary>The last epoch's; no hold-out is drawn and nothing is scored for selection.</summary>
    [EnumMember(Value = "last-epoch")]
    LastEpoch,

    /// <summary>
    /// The epoch with the highest validation score (<see cref="EpochScore.Selection"/>), scored on a hold-out drawn from
    /// the training split — never the reported queries. The first epoch of a tie wins and NaN never wins; when no epoch
    /// scores a number the last epoch is kept and <see cref="TrainingResult.SelectionFellBack"/> says so.
    /// </summary>
    [EnumMember(Value = "best-validation")]
    BestValidation,
}
