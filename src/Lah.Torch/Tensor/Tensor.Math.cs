using Lah.Torch.Native;

namespace Lah.Torch;

// Elementwise arithmetic, comparisons, activations and reductions.
public sealed partial class Tensor
{
    internal Tensor Unary(UnaryOp op) => Wrap(NativeMethods.lah_tensor_unary(Handle, op, out var r), r);
    internal Tensor ScalarOp(ScalarOp op, double a) => Wrap(NativeMethods.lah_tensor_scalar_op(Handle, op, a, out var r), r);
    internal Tensor Binary(Tensor other, BinaryOp op, double alpha = 1) =>
        Wrap(NativeMethods.lah_tensor_binary(Handle, other.Handle, op, alpha, out var r), r);

    public Tensor Add(Tensor other, double alpha = 1) => Binary(other, BinaryOp.Add, alpha);
    public Tensor Sub(Tensor other, double alpha = 1) => Binary(other, BinaryOp.Sub, alpha);
    public Tensor Mul(Tensor other) => Binary(other, BinaryOp.Mul);
    public Tensor Div(Tensor other) => Binary(other, BinaryOp.Div);
    public Tensor Add(double s) => ScalarOp(Native.ScalarOp.Add, s);
    public Tensor Sub(double s) => ScalarOp(Native.ScalarOp.Sub, s);
    public Tensor Mul(double s) => ScalarOp(Native.ScalarOp.Mul, s);
    public Tensor Div(double s) => ScalarOp(Native.ScalarOp.Div, s);
    public Tensor Maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor Minimum(Tensor other) => Binary(other, BinaryOp.Minimum);

    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);
    public Tensor Pow(double exponent) => ScalarOp(Native.ScalarOp.Pow, exponent);
    public Tensor Pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);

    /// <summary>Clamps to [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(NativeMethods.lah_tensor_clamp(Handle, min ?? 0, max ?? 0, min.HasValue, max.HasValue, false, out var r), r);

    public Tensor Eq(Tensor o) => Binary(o, BinaryOp.Eq);
    public Tensor Ne(Tensor o) => Binary(o, BinaryOp.Ne);
    public Tensor Lt(Tensor o) => Binary(o, BinaryOp.Lt);
    public Tensor Le(Tensor o) => Binary(o, BinaryOp.Le);
    public Tensor Gt(Tensor o) => Binary(o, BinaryOp.Gt);
    public Tensor Ge(Tensor o) => Binary(o, BinaryOp.Ge);
    public Tensor Eq(double s) => ScalarOp(Native.ScalarOp.Eq, s);
    public Tensor Ne(double s) => ScalarOp(Native.ScalarOp.Ne, s);
    public Tensor Lt(double s) => ScalarOp(Native.ScalarOp.Lt, s);
    public Tensor Le(double s) => ScalarOp(Native.ScalarOp.Le, s);
    public Tensor Gt(double s) => ScalarOp(Native.ScalarOp.Gt, s);
    public Tensor Ge(double s) => ScalarOp(Native.ScalarOp.Ge, s);
    public Tensor LogicalAnd(Tensor o) => Binary(o, BinaryOp.LogicalAnd);
    public Tensor LogicalOr(Tensor o) => Binary(o, BinaryOp.LogicalOr);

    public Tensor Relu() => Unary(UnaryOp.Relu);
    public Tensor LeakyRelu(double negativeSlope) => ScalarOp(Native.ScalarOp.LeakyRelu, negativeSlope);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Softplus() => Unary(UnaryOp.Softplus);
    public Tensor LogSigmoid() => Unary(UnaryOp.LogSigmoid);
    public Tensor LogSoftmax(long dim) => ScalarOp(Native.ScalarOp.LogSoftmax, dim);
    public Tensor Softmax(long dim) => ScalarOp(Native.ScalarOp.Softmax, dim);

    private unsafe Tensor Reduce(ReduceOp op, long[]? dims, bool keepDim)
    {
        fixed (long* p = dims)
            return Wrap(NativeMethods.lah_tensor_reduce(Handle, op, p, dims?.Length ?? -1, keepDim, out var r), r);
    }

    public Tensor Sum() => Reduce(ReduceOp.Sum, null, false);
    public Tensor Sum(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);
    public Tensor Sum(long dim, bool keepDim = false) => Reduce(ReduceOp.Sum, [dim], keepDim);
    public Tensor Mean() => Reduce(ReduceOp.Mean, null, false);
    public Tensor Mean(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);
    public Tensor Mean(long dim, bool keepDim = false) => Reduce(ReduceOp.Mean, [dim], keepDim);
    public Tensor Max() => Reduce(ReduceOp.Amax, null, false);
    public Tensor Amax(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Amax, dims, keepDim);
    public Tensor Min() => Reduce(ReduceOp.Amin, null, false);
    public Tensor Amin(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Amin, dims, keepDim);
    public Tensor LogSumExp(long[] dims, bool keepDim = false) => Reduce(ReduceOp.LogSumExp, dims, keepDim);

    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        Status.Check(NativeMethods.lah_tensor_max_dim(Handle, dim, keepDim, 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false)
    {
        Status.Check(NativeMethods.lah_tensor_max_dim(Handle, dim, keepDim, 1, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(NativeMethods.lah_tensor_argmax(Handle, dim, keepDim, out var r), r);

    public Tensor Norm(double p = 2) => NormCore(p, null, false);
    public Tensor Norm(double p, long[] dims, bool keepDim = false) => NormCore(p, dims, keepDim);

    private unsafe Tensor NormCore(double p, long[]? dims, bool keepDim)
    {
        fixed (long* d = dims)
            return Wrap(NativeMethods.lah_tensor_norm(Handle, p, d, dims?.Length ?? -1, keepDim, out var r), r);
    }

    public Tensor MatMul(Tensor other) => Binary(other, BinaryOp.MatMul);
    public Tensor Bmm(Tensor other) => Binary(other, BinaryOp.Bmm);
    public Tensor Outer(Tensor other) => Binary(other, BinaryOp.Outer);

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator +(Tensor a, double s) => a.Add(s);
    public static Tensor operator -(Tensor a, double s) => a.Sub(s);
    public static Tensor operator *(Tensor a, double s) => a.Mul(s);
    public static Tensor operator /(Tensor a, double s) => a.Div(s);
    public static Tensor operator +(double s, Tensor a) => a.Add(s);
    public static Tensor operator -(double s, Tensor a) => a.ScalarOp(Native.ScalarOp.RSub, s);
    public static Tensor operator *(double s, Tensor a) => a.Mul(s);
    public static Tensor operator /(double s, Tensor a) => a.ScalarOp(Native.ScalarOp.RDiv, s);
    public static Tensor operator -(Tensor a) => a.Neg();
}
