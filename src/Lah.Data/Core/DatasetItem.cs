namespace Lah.Data;

/// <summary>One image of a dataset: its id (file stem or synthetic id), where its pixels are, and its labels.</summary>
public sealed record DatasetItem(string Id, ImageSource Image, MultiLabel Labels);
