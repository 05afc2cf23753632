namespace Lah.Torch.NN;

/// <summary>torch.nn.init: in-place initialisers (run under no-grad, return the tensor).</summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight: dim 1 and dim 0 times the receptive field (PyTorch's rule).</summary>
    public static (long FanIn, long FanOut) CalculateFans(Tensor t)
    {
        var s = t.Shape;
        if (s.Length < 2)
            throw new ArgumentException($"fan in/out need a tensor with at least 2 dimensions, got shape [{string.Join(", ", s)}]");
        long receptive = 1;
        for (int i = 2; i < s.Length; i++) receptive *= s[i];
        return (s[1] * receptive, s[0] * receptive);
    }

    /// <summary>torch.nn.init.calculate_gain: linear/conv*/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+a²)), selu 3/4.</summary>
    public static double CalculateGain(string nonlinearity, double? param = null) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d"
            or "sigmoid" => 1,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2),
        "leaky_relu" => Math.Sqrt(2 / (1 + Math.Pow(param ?? 0.01, 2))),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"unsupported nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
    };

    private static Tensor NoGrad(Tensor t, Action<Tensor> init)
    {
        using var _ = Torch.NoGrad();
        init(t);
        return t;
    }

    // Every random initialiser draws from `generator`, or from the global generator when it is null.
    public static Tensor Uniform_(Tensor t, double a = 0, double b = 1, Generator? generator = null) =>
        NoGrad(t, x => x.Uniform_(a, b, generator));
    public static Tensor Normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null) =>
        NoGrad(t, x => x.Normal_(mean, std, generator));
    public static Tensor Constant_(Tensor t, double value) => NoGrad(t, x => x.Fill_(value));
    public static Tensor Zeros_(Tensor t) => NoGrad(t, x => x.Zero_());
    public static Tensor Ones_(Tensor t) => NoGrad(t, x => x.Fill_(1));

    private static double KaimingStd(Tensor t, double a, FanMode mode, string nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFans(t);
        long fan = mode == FanMode.FanIn ? fanIn : fanOut;
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    /// <summary>U(−b, b) with b = gain·√(3/fan) (He et al.).</summary>
    public static Tensor KaimingUniform_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        double bound = Math.Sqrt(3) * KaimingStd(t, a, mode, nonlinearity);
        return Uniform_(t, -bound, bound, generator);
    }

    /// <summary>N(0, std²) with std = gain/√fan (He et al.).</summary>
    public static Tensor KaimingNormal_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu",
        Generator? generator = null) =>
        Normal_(t, 0, KaimingStd(t, a, mode, nonlinearity), generator);

    private static double XavierStd(Tensor t, double gain)
    {
        var (fanIn, fanOut) = CalculateFans(t);
        return gain * Math.Sqrt(2.0 / (fanIn + fanOut));
    }

    /// <summary>U(−a, a) with a = gain·√(6/(fan_in+fan_out)) (Glorot &amp; Bengio).</summary>
    public static Tensor XavierUniform_(Tensor t, double gain = 1, Generator? generator = null)
    {
        double a = Math.Sqrt(3) * XavierStd(t, gain);
        return Uniform_(t, -a, a, generator);
    }

    public static Tensor XavierNormal_(Tensor t, double gain = 1, Generator? generator = null) =>
        Normal_(t, 0, XavierStd(t, gain), generator);
}
