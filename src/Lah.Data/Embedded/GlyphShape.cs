namespace Lah.Data;

/// <summary>
/// The shapes of synthetic-scene glyphs, each a membership test on [-1, 1]² (y down) using only exact arithmetic,
/// so rendered pixels are identical on every machine.
/// </summary>
public static class GlyphShape
{
    public static readonly string[] Names =
        ["circle", "square", "triangle", "diamond", "cross", "ring", "hbar", "vbar", "saltire", "hexagon", "halfdisc", "frame"];

    public static bool Inside(int shape, double u, double v)
    {
        double au = Math.Abs(u), av = Math.Abs(v), r2 = u * u + v * v;
        return shape switch
        {
            0 => r2 <= 1,
            1 => au <= 0.8 && av <= 0.8,
            2 => v <= 0.8 && v >= -0.9 && au <= (v + 0.9) / 1.7 * 0.95,
            3 => au + av <= 1,
            4 => (au <= 0.28 && av <= 0.95) || (av <= 0.28 && au <= 0.95),
            5 => r2 <= 1 && r2 >= 0.36,
            6 => av <= 0.3 && au <= 1,
            7 => au <= 0.3 && av <= 1,
            8 => r2 <= 1 && (Math.Abs(u - v) <= 0.35 || Math.Abs(u + v) <= 0.35),
            9 => Math.Max(au * 0.866 + av * 0.5, av) <= 0.866,
            10 => r2 <= 1 && v >= 0,
            11 => Math.Max(au, av) <= 0.9 && Math.Max(au, av) >= 0.6,
            _ => throw new ArgumentOutOfRangeException(nameof(shape), $"shape {shape}"),
        };
    }
}
