namespace Lah.Data;

/// <summary>A crop rectangle in pixels: left, top, width, height.</summary>
public readonly record struct CropBox(int X, int Y, int Width, int Height);
