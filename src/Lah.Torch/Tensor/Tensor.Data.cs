using Lah.Torch.Native;

namespace Lah.Torch;

// Data replacement for modules that move between devices; integral counters.
public sealed partial class Tensor
{
    /// <summary>
    /// Makes this tensor use <paramref name="src"/>'s data (PyTorch's <c>t.data = src</c>): the handle, requires_grad and
    /// leaf status stay, so modules and optimizers holding this object keep working after a device move. Returns this.
    /// </summary>
    public Tensor SetData_(Tensor src)
    {
        Status.Check(NativeMethods.lah_tensor_set_data(Handle, src.Handle));
        _shape = null;
        return this;
    }

    /// <summary>Adds an integer in place keeping integer dtypes integral (a double scalar would not). Returns this.</summary>
    public Tensor AddInt_(long value)
    {
        Status.Check(NativeMethods.lah_tensor_add_int_(Handle, value));
        return this;
    }
}
