namespace Lah.Data;

/// <summary>Label count and mean labels per image of a synthetic-scenes preset, shaped like a real benchmark.</summary>
public sealed record ScenePreset(string Name, int Labels, double MeanLabels)
{
    public static readonly ScenePreset Voc = new("voc", 20, 1.5);
    public static readonly ScenePreset Coco = new("coco", 80, 2.9);
    public static readonly ScenePreset Mirflickr = new("mirflickr", 24, 4.7);

    public static ScenePreset Parse(string name) => name.ToLowerInvariant() switch
    {
        "voc" or "voc2007" => Voc,
        "coco" or "coco2014" => Coco,
        "mirflickr" or "mirflickr25k" => Mirflickr,
        _ => throw new ArgumentException($"unknown synthetic-scenes preset '{name}' (voc, coco, mirflickr)"),
    };
}
