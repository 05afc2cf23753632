namespace Lah.Training.EndToEnd;

/// <summary>Which evaluation picks the epoch whose weights are kept as the result.</summary>
public enum ModelSelection
{
    /// <summary>MAP on a validation part held out of the training items (the honest default).</summary>
    Validation,

    /// <summary>
    /// MAP on the test queries, as the official code keeps its best test epoch. Reported results are then optimistic:
    /// use only to reproduce the official numbers.
    /// </summary>
    OfficialTest,
}
