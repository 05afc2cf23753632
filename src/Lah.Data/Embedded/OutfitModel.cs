namespace Lah.Data;

/// <summary>
/// Label sets over the 10 Fashion-MNIST classes from a small generative outfit model: a style (casual, formal,
/// winter, summer) sets the odds of each top, outer layer, bottom, shoe and bag. Conditionals are asymmetric by
/// construction, e.g. trousers appear with most shoes but sneakers with only some trousers.
/// </summary>
public static class OutfitModel
{
    // Class indices of Fashion-MNIST.
    private const int TShirt = 0, Trouser = 1, Pullover = 2, Dress = 3, Coat = 4, Sandal = 5, Shirt = 6, Sneaker = 7, Bag = 8, AnkleBoot = 9;

    private sealed record Style(double Weight, (int Top, double P)[] Tops, double CoatP, double TrouserP, (int Shoe, double P)[] Shoes, double BagP);

    private static readonly Style[] Styles =
    [
        new(0.40, [(TShirt, 0.6), (Pullover, 0.25), (Shirt, 0.15)], 0.05, 0.75, [(Sneaker, 0.8), (Sandal, 0.2)], 0.15),
        new(0.25, [(Shirt, 0.55), (Dress, 0.45)], 0.25, 0.85, [(AnkleBoot, 0.6), (Sandal, 0.1), (Sneaker, 0.05)], 0.7),
        new(0.20, [(Pullover, 0.7), (Shirt, 0.3)], 0.8, 0.9, [(AnkleBoot, 0.85), (Sneaker, 0.15)], 0.3),
        new(0.15, [(TShirt, 0.5), (Dress, 0.5)], 0.0, 0.3, [(Sandal, 0.85), (Sneaker, 0.1)], 0.4),
    ];

    /// <summary>One outfit's distinct classes (at least one, at most <paramref name="maxItems"/>).</summary>
    public static int[] Sample(Rng rng, int maxItems)
    {
        var style = Pick(rng, Styles.Select(s => s.Weight).ToArray());
        var st = Styles[style];
        var items = new List<int>();
        var top = Pick(rng, st.Tops.Select(t => t.P).ToArray());
        if (top >= 0) items.Add(st.Tops[top].Top);
        if (rng.NextDouble() < st.CoatP) items.Add(Coat);
        if (!items.Contains(Dress) && rng.NextDouble() < st.TrouserP) items.Add(Trouser);
        var shoe = Pick(rng, st.Shoes.Select(t => t.P).ToArray());
        if (shoe >= 0) items.Add(st.Shoes[shoe].Shoe);
        if (rng.NextDouble() < st.BagP) items.Add(Bag);
        if (items.Count == 0) items.Add(st.Tops[0].Top);
        while (items.Count > maxItems) items.RemoveAt(rng.NextInt(items.Count));
        return items.Distinct().Order().ToArray();
    }

    // Index chosen with the given probabilities; -1 for the leftover mass (nothing chosen).
    private static int Pick(Rng rng, double[] p)
    {
        var u = rng.NextDouble();
        for (var i = 0; i < p.Length; i++)
        {
            if (u < p[i]) return i;
            u -= p[i];
        }
        return -1;
    }
}
