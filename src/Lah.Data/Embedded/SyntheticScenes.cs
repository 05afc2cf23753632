namespace Lah.Data;

/// <summary>
/// `synthetic-scenes`: procedural images where each label is a distinct glyph (shape × colour) drawn at a random
/// place and scale over a noisy background with grey distractor shapes and lines. Label sets come from a
/// <see cref="TopicLabelModel"/> preset, or from real label rows so real label statistics drive the pixels.
/// Difficult labels (VOC's 0) are drawn small. Deterministic from the seed; pixels rendered on demand.
/// </summary>
public sealed class SyntheticScenes : IMultiLabelDataset
{
    private static readonly byte[][] Palette =
    [
        [230, 25, 45], [60, 180, 75], [0, 90, 230], [255, 215, 0], [240, 50, 230], [0, 200, 220], [245, 130, 20], [120, 40, 180],
    ];

    private readonly DatasetItem[] _items;
    private readonly int _colours;

    /// <summary>A preset-shaped dataset of <paramref name="count"/> scenes.</summary>
    public SyntheticScenes(ScenePreset preset, int count, ulong seed, int size = 128)
        : this($"synthetic-scenes-{preset.Name}", GlyphLabelNames(preset.Labels), SampleLabels(preset, count, seed), seed, size)
    {
    }

    /// <summary>Scenes whose labels are the given rows (e.g. a real label file's), one scene per row.</summary>
    public SyntheticScenes(string name, IReadOnlyList<string> labelNames, IReadOnlyList<MultiLabel> rows, ulong seed, int size = 128,
        SceneDifficulty? difficulty = null)
    {
        Difficulty = difficulty ?? SceneDifficulty.Default;
        Difficulty.Validate();
        var c = labelNames.Count;
        _colours = c > 32 ? 8 : 4;
        if ((c + _colours - 1) / _colours > GlyphShape.Names.Length)
            throw new ArgumentException($"{c} labels need more than {GlyphShape.Names.Length} shapes × {_colours} colours");
        Name = name;
        LabelNames = labelNames;
        Size = size;
        Seed = seed;
        _items = rows.Select((r, i) =>
        {
            if (r.Count != c) throw new ArgumentException($"label row {i} has {r.Count} labels, expected {c}");
            return new DatasetItem($"{name}-{i:D6}", new MemoryImageSource(() => Render(i, r)), r);
        }).ToArray();
    }

    public string Name { get; }
    public IReadOnlyList<string> LabelNames { get; }
    public int Size { get; }
    public ulong Seed { get; }
    public SceneDifficulty Difficulty { get; }
    public int Count => _items.Length;
    public DatasetItem this[int index] => _items[index];

    public (int Shape, byte[] Colour) Glyph(int label) => (label / _colours, Palette[label % _colours]);

    /// <summary>
    /// Scene <paramref name="index"/> with the box of each label's glyph (what an exporter writes as its objects):
    /// the same pixels as the item's image, drawn with the same draws.
    /// </summary>
    public (RgbImage Image, IReadOnlyList<SceneObject> Objects) RenderScene(int index)
    {
        var objects = new List<SceneObject>();
        var image = Render(index, _items[index].Labels, objects);
        return (image, objects);
    }

    /// <summary>Label names that say what the glyph is, e.g. `red-circle`.</summary>
    public static string[] GlyphLabelNames(int labels)
    {
        var colours = labels > 32 ? 8 : 4;
        string[] colourNames = ["red", "green", "blue", "yellow", "magenta", "cyan", "orange", "purple"];
        return Enumerable.Range(0, labels).Select(l => $"{colourNames[l % colours]}-{GlyphShape.Names[l / colours]}").ToArray();
    }

    private static MultiLabel[] SampleLabels(ScenePreset preset, int count, ulong seed)
    {
        var model = new TopicLabelModel(preset.Labels, preset.MeanLabels, seed);
        return Enumerable.Range(0, count)
            .Select(i => MultiLabel.FromIndices(preset.Labels, model.Sample(Rng.For(seed, 0x5CE, (ulong)i))))
            .ToArray();
    }

    private RgbImage Render(int index, MultiLabel labels, List<SceneObject>? objects = null)
    {
        var d = Difficulty;
        var rng = Rng.For(Seed, 0x9E7, (ulong)index);
        var s = Size;
        var img = new RgbImage(s, s);
        var px = img.Pixels;
        // Background: a soft grey gradient plus noise.
        int b0 = rng.NextInt(90, 170), gx = rng.NextInt(-40, 40), gy = rng.NextInt(-40, 40);
        for (var y = 0; y < s; y++)
            for (var x = 0; x < s; x++)
            {
                var v = b0 + gx * x / s + gy * y / s + rng.NextInt(-d.Noise, d.Noise);
                var o = img.Offset(x, y);
                px[o] = px[o + 1] = px[o + 2] = (byte)Math.Clamp(v, 0, 255);
            }
        // Clutter: grey lines and grey shapes (grey is no label's colour).
        for (var k = rng.NextInt(d.MinLines, d.MaxLines); k > 0; k--) Line(img, rng);
        for (var k = rng.NextInt(d.MinClutter, d.MaxClutter); k > 0; k--)
        {
            var g = (byte)rng.NextInt(40, 220);
            Draw(img, rng.NextInt(GlyphShape.Names.Length), [g, g, g], rng, 0.06, 0.14);
        }
        // Decoys: a shape in a mixed, off-palette hue (drawn before the labels, so labels stay on top).
        if (d.MaxDecoys > 0)
            for (var k = rng.NextInt(d.MinDecoys, d.MaxDecoys); k > 0; k--)
            {
                var a = Palette[rng.NextInt(Palette.Length)];
                var b = Palette[rng.NextInt(Palette.Length)];
                byte[] mix = [(byte)((a[0] + b[0] + 128) / 3), (byte)((a[1] + b[1] + 128) / 3), (byte)((a[2] + b[2] + 128) / 3)];
                Draw(img, rng.NextInt(GlyphShape.Names.Length), mix, rng, d.GlyphMinRadius, d.GlyphMaxRadius);
            }
        for (var c = 0; c < labels.Count; c++)
        {
            var (shape, colour) = Glyph(c);
            if (d.ColourJitter > 0 && (labels.Positive[c] || labels.Difficult[c]))
                colour = colour.Select(v => (byte)Math.Clamp(v + rng.NextInt(-d.ColourJitter, d.ColourJitter), 0, 255)).ToArray();
            var box = labels.Positive[c] ? Draw(img, shape, colour, rng, d.GlyphMinRadius, d.GlyphMaxRadius)
                : labels.Difficult[c] ? Draw(img, shape, colour, rng, 0.035, 0.05)
                : default;
            if (labels.Positive[c] || labels.Difficult[c])
                objects?.Add(new SceneObject(c, labels.Difficult[c], box.X0, box.Y0, box.X1, box.Y1));
        }
        // Occluders: grey rectangles over everything.
        if (d.MaxOccluders > 0)
            for (var k = rng.NextInt(d.MinOccluders, d.MaxOccluders); k > 0; k--)
            {
                int w = Math.Max(1, (int)(rng.Uniform(0.1, d.OccluderMaxSize) * s)), h = Math.Max(1, (int)(rng.Uniform(0.1, d.OccluderMaxSize) * s));
                int x0 = rng.NextInt(0, s - w), y0 = rng.NextInt(0, s - h);
                var g = (byte)rng.NextInt(40, 220);
                for (var y = y0; y < y0 + h; y++)
                    for (var x = x0; x < x0 + w; x++)
                    {
                        var o = img.Offset(x, y);
                        px[o] = px[o + 1] = px[o + 2] = g;
                    }
            }
        return img;
    }

    /// <summary>Draws one glyph; returns the box of the pixels it painted (the glyph's square when it painted none).</summary>
    private static (int X0, int Y0, int X1, int Y1) Draw(RgbImage img, int shape, byte[] colour, Rng rng, double minR, double maxR)
    {
        var s = img.Width;
        var r = rng.Uniform(minR, maxR) * s;
        var cx = rng.Uniform(r, s - r);
        var cy = rng.Uniform(r, s - r);
        int x0 = Math.Max(0, (int)(cx - r)), x1 = Math.Min(s - 1, (int)(cx + r) + 1);
        int y0 = Math.Max(0, (int)(cy - r)), y1 = Math.Min(s - 1, (int)(cy + r) + 1);
        int bx0 = int.MaxValue, by0 = int.MaxValue, bx1 = -1, by1 = -1;
        for (var y = y0; y <= y1; y++)
            for (var x = x0; x <= x1; x++)
                if (GlyphShape.Inside(shape, (x + 0.5 - cx) / r, (y + 0.5 - cy) / r))
                {
                    var o = img.Offset(x, y);
                    img.Pixels[o] = colour[0];
                    img.Pixels[o + 1] = colour[1];
                    img.Pixels[o + 2] = colour[2];
                    bx0 = Math.Min(bx0, x);
                    by0 = Math.Min(by0, y);
                    bx1 = Math.Max(bx1, x);
                    by1 = Math.Max(by1, y);
                }
        return bx1 < 0 ? (x0, y0, x1, y1) : (bx0, by0, bx1, by1);
    }

    private static void Line(RgbImage img, Rng rng)
    {
        var s = img.Width;
        double x = rng.Uniform(0, s), y = rng.Uniform(0, s);
        double dx = rng.Uniform(-1, 1), dy = rng.Uniform(0.05, 1);
        var len = Math.Sqrt(dx * dx + dy * dy); // sqrt is correctly rounded (IEEE), unlike sin/cos
        dx /= len;
        dy /= len;
        var g = (byte)rng.NextInt(30, 230);
        for (var t = -s; t < s; t++)
        {
            int px = (int)(x + t * dx), py = (int)(y + t * dy);
            if (px < 0 || py < 0 || px >= s || py >= s) continue;
            var o = img.Offset(px, py);
            img.Pixels[o] = img.Pixels[o + 1] = img.Pixels[o + 2] = g;
        }
    }
}
