namespace Lah.Torch.NN;

/// <summary>
/// Batch normalisation over N×C×H×W: weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked (I64) 0.
/// In training, batch statistics are used and the running ones updated (momentum), and num_batches_tracked counts up.
/// </summary>
public sealed class BatchNorm2d : Module
{
    public int NumFeatures { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    public Tensor? NumBatchesTracked { get; }

    public BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    {
        if (numFeatures <= 0) throw new ArgumentException($"BatchNorm2d: numFeatures must be positive, got {numFeatures}");
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = Torch.Ones([numFeatures]);
            Bias = Torch.Zeros([numFeatures]);
        }
        RegisterParameter("weight", Weight);
        RegisterParameter("bias", Bias);
        if (trackRunningStats)
        {
            RunningMean = Torch.Zeros([numFeatures]);
            RunningVar = Torch.Ones([numFeatures]);
            NumBatchesTracked = Torch.Zeros([], DType.Int64);
        }
        RegisterBuffer("running_mean", RunningMean);
        RegisterBuffer("running_var", RunningVar);
        RegisterBuffer("num_batches_tracked", NumBatchesTracked);
    }

    protected override IEnumerable<string> OptionalStateNames => NumBatchesTracked is null ? [] : ["num_batches_tracked"];

    public override Tensor Forward(Tensor x)
    {
        var s = x.Shape;
        if (s.Length != 4 || s[1] != NumFeatures)
            throw new ArgumentException($"BatchNorm2d({NumFeatures}): expected N×{NumFeatures}×H×W input, got [{string.Join(", ", s)}]");
        bool useBatchStats = IsTraining || RunningMean is null;
        if (IsTraining && NumBatchesTracked is not null)
        {
            using var _ = Torch.NoGrad();
            NumBatchesTracked.AddInt_(1);
        }
        // Training updates the running statistics in place; eval normalises with them.
        return F.BatchNorm(x, RunningMean, RunningVar, Weight, Bias, useBatchStats, Momentum, Eps);
    }
}
