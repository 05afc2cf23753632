namespace Lah.Torch;

/// <summary>Element types; the order is the native shim's dtype code.</summary>
public enum DType { Float32, Float64, Float16, BFloat16, Int64, Int32, UInt8, Bool }

public static class DTypeExtensions
{
    public static int ElementSize(this DType t) => t switch
    {
        DType.Float64 or DType.Int64 => 8,
        DType.Float32 or DType.Int32 => 4,
        DType.Float16 or DType.BFloat16 => 2,
        _ => 1,
    };

    public static bool IsFloatingPoint(this DType t) => t is DType.Float32 or DType.Float64 or DType.Float16 or DType.BFloat16;
}
