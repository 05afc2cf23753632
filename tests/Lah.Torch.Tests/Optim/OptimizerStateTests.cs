using Lah.Tests;
using Lah.Torch.NN;
using Lah.Torch.Optim;
using Xunit;

namespace Lah.Torch.Tests.Optim;

public class OptimizerStateTests
{
    // A step on a fixed batch: loss = mean((net(x) − y)²).
    private static void TrainStep(Module net, Optimizer opt, int seed)
    {
        using var scope = Torch.NewScope();
        // Its own generator: the two runs compared must see the same batches whatever parallel tests draw.
        using var gen = new Generator(seed);
        var x = Torch.Randn([8, 5], gen);
        var y = Torch.Randn([8, 2], gen);
        opt.ZeroGrad();
        (net.Forward(x) - y).Square().Mean().Backward();
        opt.Step();
    }

    public static IEnumerable<object[]> Optimizers() =>
    [
        ["sgd"], ["adam"], ["adamw-amsgrad"],
    ];

    private static Optimizer Make(string kind, Sequential net) => kind switch
    {
        "sgd" => new SGD([new ParamGroup(net[0].Parameters(), lr: 0.05), new ParamGroup(net[2].Parameters())], 0.1, momentum: 0.9,
            weightDecay: 1e-3, nesterov: true),
        "adam" => new Adam(net.Parameters(), 1e-2, weightDecay: 1e-3),
        _ => new AdamW(net.Parameters(), 1e-2, amsgrad: true),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ResumingFromASafeTensorsCheckpointGivesIdenticalSteps(string kind)
    {
        using var dir = TestPaths.NewTempDir();
        Torch.ManualSeed(1);
        using var a = new Sequential(new Linear(5, 4), new ReLU(), new Linear(4, 2));
        using var b = new Sequential(new Linear(5, 4), new ReLU(), new Linear(4, 2));
        using var optA = Make(kind, a);
        using var optB = Make(kind, b);
        for (int s = 0; s < 3; s++) TrainStep(a, optA, s);

        a.SaveSafeTensors(dir.File("model.safetensors"));
        optA.SaveSafeTensors(dir.File("optim.safetensors"));
        b.LoadSafeTensors(dir.File("model.safetensors"));
        optB.LoadSafeTensors(dir.File("optim.safetensors"));
        using (Torch.NewScope())
        {
            var state = optB.StateDict();
            Assert.Contains(kind == "sgd" ? "state.0.momentum_buffer" : "state.0.exp_avg_sq", state.Keys);
            Assert.Equal(3, state["state.3.step"].ItemLong());
        }

        for (int s = 3; s < 6; s++)
        {
            TrainStep(a, optA, s);
            TrainStep(b, optB, s);
        }
        foreach (var (name, t) in a.StateDict())
            Assert.Equal(t.ToFloatArray(), b.StateDict()[name].ToFloatArray());
    }

    [Fact]
    public void HyperParametersTravelWithTheState()
    {
        using var p = Torch.Zeros([2]).RequiresGrad_();
        using var q = Torch.Zeros([2]).RequiresGrad_();
        using var a = new SGD([p], 0.1, momentum: 0.9);
        using var b = new SGD([q], 0.5);
        a.ParamGroups[0].Lr = 0.025;
        using var scope = Torch.NewScope();
        b.LoadStateDict(a.StateDict());
        Assert.Equal(0.025, b.ParamGroups[0].Lr);
        Assert.Equal(0.9, b.ParamGroups[0].Momentum);
    }

    [Fact]
    public void MismatchedStateIsRejectedWithTheKey()
    {
        using var p = Torch.Zeros([2]).RequiresGrad_();
        using var opt = new SGD([p], 0.1, momentum: 0.9);
        using var scope = Torch.NewScope();
        var bad = new Dictionary<string, Tensor>
        {
            ["param_groups.0.num_params"] = Torch.Scalar(1, DType.Int64),
            ["state.0.momentum_buffer"] = Torch.Zeros([3]),
        };
        var e = Assert.Throws<InvalidDataException>(() => opt.LoadStateDict(bad));
        Assert.Contains("state.0.momentum_buffer", e.Message);
        bad["param_groups.0.num_params"] = Torch.Scalar(2, DType.Int64);
        Assert.Contains("num_params", Assert.Throws<InvalidDataException>(() => opt.LoadStateDict(bad)).Message);
        Assert.Contains("param_groups.0.num_params", Assert.Throws<InvalidDataException>(() => opt.LoadStateDict(new Dictionary<string, Tensor>())).Message);
    }
}
