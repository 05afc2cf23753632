using Lah.Torch;

namespace Lah.Hashing.Models;

/// <summary>A named set of parameters that an optimizer gives its own learning rate (e.g. "gcn", "fusion", "hash").</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<Tensor> Parameters);
