namespace Lah.Data;

/// <summary>
/// `fashion-mosaic`: each image is a grid (2×2 or 3×3) of real Fashion-MNIST items whose classes are one outfit
/// from <see cref="OutfitModel"/>; every class of the outfit fills at least one cell and the labels are exactly the
/// classes shown. Items are chosen at construction from the seed; pixels are rendered on demand.
/// </summary>
public sealed class FashionMosaic : IMultiLabelDataset
{
    private readonly FashionMnist _source;
    private readonly int[][] _cells; // source item per cell, row-major
    private readonly DatasetItem[] _items;

    public FashionMosaic(FashionMnist source, int count, ulong seed, int grid = 2, int scale = 2)
    {
        if (grid is < 2 or > 3) throw new ArgumentOutOfRangeException(nameof(grid), $"grid {grid}: 2 or 3");
        _source = source;
        Grid = grid;
        Scale = scale;
        var byClass = Enumerable.Range(0, 10).Select(c => new List<int>()).ToArray();
        for (var i = 0; i < source.Count; i++) byClass[source.Labels[i]].Add(i);
        var cells = grid * grid;
        _cells = new int[count][];
        _items = new DatasetItem[count];
        for (var n = 0; n < count; n++)
        {
            var rng = Rng.For(seed, 0xFA5, (ulong)n);
            var outfit = OutfitModel.Sample(rng, cells);
            var classes = outfit.ToList();
            while (classes.Count < cells) classes.Add(outfit[rng.NextInt(outfit.Length)]);
            rng.Shuffle(classes);
            _cells[n] = classes.Select(c => byClass[c][rng.NextInt(byClass[c].Count)]).ToArray();
            var k = n;
            _items[n] = new DatasetItem($"fashion-mosaic-{n:D6}", new MemoryImageSource(() => Render(k)),
                MultiLabel.FromIndices(10, outfit));
        }
        Name = $"fashion-mosaic-{grid}x{grid}";
    }

    public string Name { get; }
    public int Grid { get; }
    public int Scale { get; }
    public IReadOnlyList<string> LabelNames => FashionMnist.ClassNames;
    public int Count => _items.Length;
    public DatasetItem this[int index] => _items[index];

    /// <summary>The Fashion-MNIST item index in each cell of image <paramref name="index"/> (row-major).</summary>
    public IReadOnlyList<int> Cells(int index) => _cells[index];

    /// <summary>Grey items, each pixel repeated Scale × Scale, on black.</summary>
    public RgbImage Render(int index)
    {
        var side = FashionMnist.Side * Scale;
        var img = new RgbImage(side * Grid, side * Grid);
        for (var cell = 0; cell < _cells[index].Length; cell++)
        {
            var src = _source.Item(_cells[index][cell]);
            int ox = cell % Grid * side, oy = cell / Grid * side;
            for (var y = 0; y < side; y++)
                for (var x = 0; x < side; x++)
                {
                    var v = src[y / Scale * FashionMnist.Side + x / Scale];
                    var o = img.Offset(ox + x, oy + y);
                    img.Pixels[o] = img.Pixels[o + 1] = img.Pixels[o + 2] = v;
                }
        }
        return img;
    }
}
