namespace Lah.Torch.Distributed;

/// <summary>The element-wise reduction of an all-reduce (codes shared with src/Lah.Native/LahDistributed.cpp).</summary>
public enum ReduceOp { Sum = 0, Max = 1, Min = 2 }
