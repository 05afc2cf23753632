using System.Numerics;

namespace Lah.Retrieval;

/// <summary>A 64-bit checksum over whole words: four multiply-rotate lanes (fast enough to verify on open),
/// folded with the word count.</summary>
public sealed class IndexChecksum
{
    private const ulong P1 = 0x9E3779B185EBCA87UL, P2 = 0xC2B2AE3D27D4EB4FUL;
    private ulong _a = P1, _b = P2, _c = 1, _d = P1 ^ P2;
    private long _count;

    public void Add(ReadOnlySpan<ulong> words)
    {
        foreach (var w in words)
        {
            switch (_count++ & 3)
            {
                case 0: _a = BitOperations.RotateLeft(_a + w * P2, 31) * P1; break;
                case 1: _b = BitOperations.RotateLeft(_b + w * P2, 31) * P1; break;
                case 2: _c = BitOperations.RotateLeft(_c + w * P2, 31) * P1; break;
                default: _d = BitOperations.RotateLeft(_d + w * P2, 31) * P1; break;
            }
        }
    }

    public ulong Value
    {
        get
        {
            ulong h = BitOperations.RotateLeft(_a, 1) + BitOperations.RotateLeft(_b, 7)
                + BitOperations.RotateLeft(_c, 12) + BitOperations.RotateLeft(_d, 18);
            h ^= (ulong)_count * P1;
            h ^= h >> 29;
            return h * P2;
        }
    }
}
