namespace Lah.Data;

/// <summary>Column order of the 80 COCO labels.</summary>
public enum CocoLabelOrder
{
    /// <summary>Sorted by category name (ordinal), as ML-GCN's category.json and LAH use.</summary>
    Alphabetical,

    /// <summary>By numeric category id (1..90 with gaps).</summary>
    CategoryId,
}
