namespace Lah.Torch.NN;

/// <summary>Flattens dimensions startDim..endDim (default: all but the batch dimension).</summary>
public sealed class Flatten : Module
{
    public long StartDim { get; }
    public long EndDim { get; }

    public Flatten(long startDim = 1, long endDim = -1) => (StartDim, EndDim) = (startDim, endDim);

    public override Tensor Forward(Tensor x) => x.Flatten(StartDim, EndDim);
}
