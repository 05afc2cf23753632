using Lah.Torch.NN;
using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Optim;

// Live-handle counts are process-wide: run beside no other tensor test.
[Collection("LiveTensorCount")]
public class TrainingLoopTests
{
    [Fact]
    public void LinearRegressionLearnsInsideScopesWithoutLeakingTensors()
    {
        long before = Torch.LiveTensorCount;
        using var gen = new Generator(2);
        using (var model = new Linear(3, 1, generator: gen))
        using (var opt = new SGD(model.Parameters(), 0.1, momentum: 0.9))
        {
            var sched = new StepLR(opt, 50, 0.5);
            double first = 0, last = 0;
            using (var data = Torch.NewScope())
            {
                var x = Torch.Randn([64, 3], gen);
                var y = x.MatMul(Torch.FromArray([2f, -1f, 0.5f], 3, 1)) + 0.3;
                for (int step = 0; step < 150; step++)
                {
                    using var scope = Torch.NewScope();
                    opt.ZeroGrad();
                    var loss = (model.Forward(x) - y).Square().Mean();
                    loss.Backward();
                    ClipGrad.Norm(model.Parameters(), 10.0);
                    opt.Step();
                    sched.Step();
                    if (step == 0) first = loss.ItemDouble();
                    last = loss.ItemDouble();
                }
            }
            Assert.True(last < first * 1e-3, $"loss went from {first} to {last}");
            Assert.Equal(new[] { 2f, -1f, 0.5f }, model.Weight.ToFloatArray(), (a, b) => Math.Abs(a - b) < 1e-2);
            Assert.Equal(0.3f, model.Bias!.ToFloatArray()[0], 2);
        }
        Assert.Equal(before, Torch.LiveTensorCount);
    }
}
