using Lah.Retrieval;

namespace Lah.Training.Inference;

/// <summary>A set encoded by a head: packed ±1 codes and the continuous outputs (N×K, tanh) that DCH ranks ties by.</summary>
public sealed record EncodedSet(PackedCodes Codes, float[] Outputs);
