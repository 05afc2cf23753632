namespace Lah.Retrieval.Kernels;

/// <summary>Implementations of the Hamming distance; all give bit-identical results.</summary>
public enum HammingKernel
{
    /// <summary>Portable SWAR popcount, no special instructions.</summary>
    Scalar,

    /// <summary>One POPCNT per 64-bit word.</summary>
    Popcnt,

    /// <summary>AVX2: nibble lookup (VPSHUFB) and byte sums (VPSADBW) over 256-bit vectors.</summary>
    Vector256,

    /// <summary>AVX-512BW: the same over 512-bit vectors.</summary>
    Vector512,
}
