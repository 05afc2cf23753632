using Lah.Torch;

namespace Lah.Hashing.Models;

/// <summary>One forward pass of a hash head: the fusion output z (B×F) and the relaxed codes u (B×K).</summary>
public sealed record HeadOutput(Tensor Fused, Tensor Codes);
