namespace Lah.Data;

/// <summary>
/// One label's glyph in a <see cref="SyntheticScenes"/> image: the label's column, whether it is difficult (drawn
/// small), and the box of its pixels, inclusive, 0-based.
/// </summary>
public sealed record SceneObject(int Label, bool Difficult, int XMin, int YMin, int XMax, int YMax);
