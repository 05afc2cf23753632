namespace Lah.Torch.NN;

/// <summary>2-D convolution, weight out×(in/groups)×kh×kw; PyTorch's default init: W and b ~ U(±1/√fan_in), drawn from the generator given.</summary>
public sealed class Conv2d : Module
{
    public int InChannels { get; }
    public int OutChannels { get; }
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Stride { get; }
    public (int H, int W) Padding { get; }
    public (int H, int W) Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1,
        int groups = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, generator)
    {
    }

    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups = 1, bool bias = true, Generator? generator = null)
    {
        if (groups <= 0 || inChannels <= 0 || outChannels <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException(
                $"Conv2d: channels must be positive multiples of groups, got in={inChannels}, out={outChannels}, groups={groups}");
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0
            || padding.H < 0 || padding.W < 0)
            throw new ArgumentException(
                $"Conv2d: kernel {kernelSize}, stride {stride}, dilation {dilation} must be positive and padding {padding} non-negative");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) =
            (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        Weight = Torch.Empty([outChannels, inChannels / groups, kernelSize.H, kernelSize.W]);
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5), generator: generator);
        RegisterParameter("weight", Weight);
        if (bias)
        {
            double bound = 1 / Math.Sqrt(Init.CalculateFans(Weight).FanIn);
            Bias = Init.Uniform_(Torch.Empty([outChannels]), -bound, bound, generator);
        }
        RegisterParameter("bias", Bias);
    }

    public override Tensor Forward(Tensor x) => F.Conv2d(x, Weight, Bias, Stride, Padding, Dilation, Groups);
}
