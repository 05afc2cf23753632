namespace Lah.Torch.NN;

/// <summary>Keys a partial load skipped: the module's keys absent from the source, and the source's keys the module lacks.</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
