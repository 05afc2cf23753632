namespace Lah.Training.EndToEnd;

/// <summary>How codes are scored each epoch.</summary>
public enum EvaluationProtocol
{
    /// <summary>DCH: queries against a separate database, MAP within Hamming radius (≤ 2).</summary>
    Dch,

    /// <summary>The official LAH code: the query set alone, leave-one-out, mAP1 within the radius.</summary>
    LahOfficial,
}
