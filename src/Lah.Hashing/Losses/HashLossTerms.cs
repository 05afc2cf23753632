using Lah.Torch;

namespace Lah.Hashing.Losses;

/// <summary>
/// A hashing loss and its two addends as weighted in <see cref="Total"/>: official combination Cauchy = L_cce and
/// Quantization = λ·L_q; paper combination Cauchy = λ·L_cce and Quantization = (1 − λ)·L_q. Scalars.
/// </summary>
public sealed record HashLossTerms(Tensor Total, Tensor Cauchy, Tensor Quantization);
