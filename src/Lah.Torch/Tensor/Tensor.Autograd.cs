using Lah.Torch.Native;

namespace Lah.Torch;

// Autograd: leaves, gradients and backward.
public sealed partial class Tensor
{
    public bool RequiresGrad
    {
        get
        {
            Status.Check(NativeMethods.lah_autograd_requires_grad(Handle, out var v));
            return v;
        }
        set => Status.Check(NativeMethods.lah_autograd_set_requires_grad(Handle, value));
    }

    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    public bool IsLeaf
    {
        get
        {
            Status.Check(NativeMethods.lah_autograd_is_leaf(Handle, out var v));
            return v;
        }
    }

    /// <summary>The accumulated gradient as a new handle (dispose it or let a scope do so), or null when there is none.</summary>
    public Tensor? Grad
    {
        get
        {
            Status.Check(NativeMethods.lah_autograd_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Status.Check(NativeMethods.lah_autograd_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    /// <summary>Zeroes the gradient in place, or drops it when <paramref name="setToNone"/>.</summary>
    public void ZeroGrad(bool setToNone = false) => Status.Check(NativeMethods.lah_autograd_zero_grad(Handle, setToNone));

    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Status.Check(NativeMethods.lah_autograd_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph));

    public Tensor Detach() => Unary(UnaryOp.Detach);
}
