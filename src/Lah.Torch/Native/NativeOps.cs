namespace Lah.Torch.Native;

// Op codes shared with src/Lah.Native/LahTensorMath.cpp and LahFactories.cpp: keep both in the same order.
internal enum UnaryOp { Neg, Exp, Log, Log1p, Sqrt, Rsqrt, Abs, Sign, Relu, Tanh, Sigmoid, Softplus, LogSigmoid, Contiguous, Clone, Detach, T, LogicalNot, Floor, Square }
internal enum ScalarOp { Pow, LeakyRelu, Add, Sub, Mul, Div, RSub, RDiv, Eq, Ne, Lt, Le, Gt, Ge, LogSoftmax, Softmax, RPow }
internal enum BinaryOp { Add, Sub, Mul, Div, Pow, Eq, Ne, Lt, Le, Gt, Ge, MatMul, Bmm, Outer, Maximum, Minimum, LogicalAnd, LogicalOr, MaskedSelect }
internal enum ReduceOp { Sum, Mean, Amax, Amin, LogSumExp }
internal enum ShapeOp { View, Reshape, Permute, Expand }
internal enum IntOp { Transpose, Unsqueeze, Squeeze, Flatten, Narrow, Diag, Tril, Triu }
internal enum InPlaceOp { Add, Sub, Mul, Div, Copy }
internal enum InPlaceScalarOp { Add, Mul, Fill, Zero, Sqrt, Div, Sub, FillDiagonal, Uniform, Normal, Bernoulli }
internal enum FactoryOp { Zeros, Ones, Full, Empty, Rand, Randn }
