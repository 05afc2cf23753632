using Lah.Torch.Native;

namespace Lah.Torch;

// In-place updates (optimizers, initialisers, running statistics). Each returns this.
public sealed partial class Tensor
{
    private Tensor InPlace(Tensor other, InPlaceOp op, double alpha = 1)
    {
        Status.Check(NativeMethods.lah_tensor_inplace_binary_(Handle, other.Handle, op, alpha));
        return this;
    }

    private Tensor InPlace(InPlaceScalarOp op, double a = 0, double b = 0)
    {
        Status.Check(NativeMethods.lah_tensor_inplace_scalar_(Handle, op, a, b));
        return this;
    }

    public Tensor Add_(Tensor other, double alpha = 1) => InPlace(other, InPlaceOp.Add, alpha);
    public Tensor Sub_(Tensor other, double alpha = 1) => InPlace(other, InPlaceOp.Sub, alpha);
    public Tensor Mul_(Tensor other) => InPlace(other, InPlaceOp.Mul);
    public Tensor Div_(Tensor other) => InPlace(other, InPlaceOp.Div);
    public Tensor Copy_(Tensor src) => InPlace(src, InPlaceOp.Copy);
    public Tensor Add_(double s) => InPlace(InPlaceScalarOp.Add, s);
    public Tensor Sub_(double s) => InPlace(InPlaceScalarOp.Sub, s);
    public Tensor Mul_(double s) => InPlace(InPlaceScalarOp.Mul, s);
    public Tensor Div_(double s) => InPlace(InPlaceScalarOp.Div, s);
    public Tensor Fill_(double value) => InPlace(InPlaceScalarOp.Fill, value);
    public Tensor Zero_() => InPlace(InPlaceScalarOp.Zero);
    public Tensor Sqrt_() => InPlace(InPlaceScalarOp.Sqrt);
    public Tensor FillDiagonal_(double value) => InPlace(InPlaceScalarOp.FillDiagonal, value);
    public Tensor Uniform_(double low, double high) => InPlace(InPlaceScalarOp.Uniform, low, high);
    public Tensor Normal_(double mean = 0, double std = 1) => InPlace(InPlaceScalarOp.Normal, mean, std);
    public Tensor Bernoulli_(double p) => InPlace(InPlaceScalarOp.Bernoulli, p);

    private Tensor RandomFill(RandomFillOp op, double a, double b, Generator? generator)
    {
        Status.Check(NativeMethods.lah_random_fill_(Handle, op, a, b, Generator.HandleOf(generator)));
        return this;
    }

    /// <summary>Fills with U(low, high) drawn from <paramref name="generator"/> (null: the global generator).</summary>
    public Tensor Uniform_(double low, double high, Generator? generator) => RandomFill(RandomFillOp.Uniform, low, high, generator);
    public Tensor Normal_(double mean, double std, Generator? generator) => RandomFill(RandomFillOp.Normal, mean, std, generator);
    public Tensor Bernoulli_(double p, Generator? generator) => RandomFill(RandomFillOp.Bernoulli, p, 0, generator);

    public Tensor Clamp_(double? min = null, double? max = null)
    {
        Status.Check(NativeMethods.lah_tensor_clamp(Handle, min ?? 0, max ?? 0, min.HasValue, max.HasValue, true, out _));
        return this;
    }

    public Tensor Addcmul_(Tensor a, Tensor b, double value = 1)
    {
        Status.Check(NativeMethods.lah_tensor_addc_(Handle, a.Handle, b.Handle, value, 0));
        return this;
    }

    public Tensor Addcdiv_(Tensor a, Tensor b, double value = 1)
    {
        Status.Check(NativeMethods.lah_tensor_addc_(Handle, a.Handle, b.Handle, value, 1));
        return this;
    }
}
