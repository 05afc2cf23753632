using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Optim;

public class SchedulerTests
{
    private static (Tensor A, Tensor B, SGD Opt) TwoGroups()
    {
        var a = Torch.Zeros([1]).RequiresGrad_().DetachFromScopes();
        var b = Torch.Zeros([1]).RequiresGrad_().DetachFromScopes();
        return (a, b, new SGD([new ParamGroup([a], lr: 1.0), new ParamGroup([b])], lr: 0.1));
    }

    private static void Check(LRScheduler s, Func<double, long, double> closedForm, int epochs)
    {
        for (long e = 0; e < epochs; e++)
        {
            Assert.Equal(e, s.LastEpoch);
            Assert.Equal(closedForm(1.0, e), s.Optimizer.ParamGroups[0].Lr, 14);
            Assert.Equal(closedForm(0.1, e), s.Optimizer.ParamGroups[1].Lr, 14);
            s.Step();
        }
    }

    [Fact]
    public void StepLRDecaysEveryStepSizeEpochs()
    {
        var (a, b, opt) = TwoGroups();
        using (a) using (b) using (opt)
            Check(new StepLR(opt, 3, 0.5), (lr, e) => lr * Math.Pow(0.5, e / 3), 10);
    }

    [Fact]
    public void MultiStepLRDecaysAtMilestones()
    {
        var (a, b, opt) = TwoGroups();
        using (a) using (b) using (opt)
            Check(new MultiStepLR(opt, [5, 2], 0.1), (lr, e) => lr * (e >= 5 ? 0.01 : e >= 2 ? 0.1 : 1), 8);
    }

    [Fact]
    public void CosineAnnealingFollowsTheClosedFormDownToEtaMin()
    {
        var (a, b, opt) = TwoGroups();
        using (a) using (b) using (opt)
        {
            var s = new CosineAnnealingLR(opt, 10, etaMin: 0.01);
            Check(s, (lr, e) => 0.01 + (lr - 0.01) * (1 + Math.Cos(Math.PI * e / 10)) / 2, 11);
            Assert.Equal(0.01, s.LrAt(1.0, 10), 14);
        }
    }

    [Fact]
    public void StateRoundTripResumesTheSchedule()
    {
        var (a, b, opt) = TwoGroups();
        using (a) using (b) using (opt)
        {
            var s = new StepLR(opt, 2, 0.5);
            for (int i = 0; i < 5; i++) s.Step();
            using var scope = Torch.NewScope();
            var state = s.StateDict();

            var (a2, b2, opt2) = TwoGroups();
            using (a2) using (b2) using (opt2)
            {
                var resumed = new StepLR(opt2, 2, 0.5);
                resumed.LoadStateDict(state);
                Assert.Equal(5, resumed.LastEpoch);
                Assert.Equal(s.GetLastLr(), resumed.GetLastLr());
                s.Step();
                resumed.Step();
                Assert.Equal(0.125, resumed.GetLastLr()[0], 14);
                Assert.Equal(s.GetLastLr(), resumed.GetLastLr());
            }
        }
    }
}
