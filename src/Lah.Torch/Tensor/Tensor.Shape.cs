using Lah.Torch.Native;

namespace Lah.Torch;

// Views, reshapes, slicing and indexing.
public sealed partial class Tensor
{
    private unsafe Tensor ShapeOp(ShapeOp op, long[] v)
    {
        fixed (long* p = v) return Wrap(NativeMethods.lah_tensor_shape_op(Handle, op, p, v.Length, out var r), r);
    }

    private Tensor IntOp(IntOp op, long a, long b = 0, long c = 0) =>
        Wrap(NativeMethods.lah_tensor_int_op(Handle, op, a, b, c, out var r), r);

    public Tensor View(params long[] shape) => ShapeOp(Native.ShapeOp.View, shape);
    public Tensor Reshape(params long[] shape) => ShapeOp(Native.ShapeOp.Reshape, shape);
    public Tensor Permute(params long[] dims) => ShapeOp(Native.ShapeOp.Permute, dims);
    public Tensor Expand(params long[] shape) => ShapeOp(Native.ShapeOp.Expand, shape);
    public Tensor Transpose(long dim0, long dim1) => IntOp(Native.IntOp.Transpose, dim0, dim1);
    public Tensor T() => Unary(UnaryOp.T);
    public Tensor Unsqueeze(long dim) => IntOp(Native.IntOp.Unsqueeze, dim);
    public Tensor Squeeze(long dim) => IntOp(Native.IntOp.Squeeze, dim);
    public Tensor Flatten(long startDim = 0, long endDim = -1) => IntOp(Native.IntOp.Flatten, startDim, endDim);
    public Tensor Narrow(long dim, long start, long length) => IntOp(Native.IntOp.Narrow, dim, start, length);
    public Tensor Diag(long diagonal = 0) => IntOp(Native.IntOp.Diag, diagonal);
    public Tensor Tril(long diagonal = 0) => IntOp(Native.IntOp.Tril, diagonal);
    public Tensor Triu(long diagonal = 0) => IntOp(Native.IntOp.Triu, diagonal);
    public Tensor Contiguous() => Unary(UnaryOp.Contiguous);
    public Tensor Clone() => Unary(UnaryOp.Clone);

    public Tensor Slice(long dim, long start, long end, long step = 1) =>
        Wrap(NativeMethods.lah_tensor_slice(Handle, dim, start, end, step, out var r), r);

    public Tensor IndexSelect(long dim, Tensor index) => Wrap(NativeMethods.lah_tensor_index_op(Handle, 0, dim, index.Handle, out var r), r);
    public Tensor Gather(long dim, Tensor index) => Wrap(NativeMethods.lah_tensor_index_op(Handle, 1, dim, index.Handle, out var r), r);
    public Tensor MaskedSelect(Tensor mask) => Binary(mask, BinaryOp.MaskedSelect);
    public Tensor MaskedFill(Tensor mask, double value) => Wrap(NativeMethods.lah_tensor_masked_fill(Handle, mask.Handle, value, out var r), r);
}
