namespace Lah.Hashing.Graph;

/// <summary>How the binarised co-occurrence matrix is re-weighted into the label correlation matrix A.</summary>
public enum LabelGraphVariant
{
    /// <summary>The released code (util.py gen_A): each column scaled by p / column sum, then the identity added (diagonal 1).</summary>
    Official,

    /// <summary>The ML-GCN / LAH paper text: each row scaled by q / row sum off the diagonal, diagonal 1 − q.</summary>
    Paper,
}
