namespace Lah.Data;

/// <summary>
/// The scenes of one dataset before they are written: one <see cref="SyntheticScenes"/> scene per real label row of
/// the whole dataset (so a scene's pixels depend on its row, never on how many are rendered), each scene's image
/// id in the official layout, and the scenes of each part chosen for rendering (the first of each part).
/// </summary>
public sealed class RenderPlan
{
    internal RenderPlan(string dataset, SyntheticScenes scenes, IReadOnlyList<string> ids, IReadOnlyList<string> partOf,
        IReadOnlyList<(string Part, int[] Scenes)> parts)
    {
        Dataset = dataset;
        Scenes = scenes;
        Ids = ids;
        PartOf = partOf;
        Parts = parts;
    }

    public string Dataset { get; }

    /// <summary>All scenes of the dataset, in the order of <see cref="Ids"/>; labels = the real rows.</summary>
    public SyntheticScenes Scenes { get; }

    /// <summary>
    /// Each scene's image id as the layout names it: VOC `000005`, COCO `COCO_train2014_000000072095`, MIRFLICKR
    /// `22` (the number of im22.jpg).
    /// </summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>Each scene's part (trainval / test, train2014 / val2014, images).</summary>
    public IReadOnlyList<string> PartOf { get; }

    /// <summary>The parts in layout order with the scenes to render (indices into <see cref="Scenes"/>).</summary>
    public IReadOnlyList<(string Part, int[] Scenes)> Parts { get; }

    /// <summary>Every scene to render, part by part.</summary>
    public IEnumerable<int> Rendered => Parts.SelectMany(p => p.Scenes);
}
