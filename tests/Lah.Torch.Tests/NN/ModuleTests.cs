using Lah.Tests;
using Lah.Torch.NN;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Torch.Tests.NN;

public class ModuleTests
{
    [Fact]
    public void NamesAreDottedAndInRegistrationOrder()
    {
        using var net = new TestNet();
        Assert.Equal(["features.0.weight", "features.0.bias", "head.weight"], net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["scale", "cache"], net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["", "features", "features.0", "features.1", "features.2", "head"], net.NamedModules().Select(m => m.Name));
        // PyTorch's order: a module's own parameters and buffers, then its children's.
        Assert.Equal(["scale", "features.0.weight", "features.0.bias", "head.weight"], net.StateDict().Keys);
        Assert.Equal(2, net.Children.Count);
        Assert.Same(net.Head.Weight, net.StateDict()["head.weight"]);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Null(net.Head.Bias);
    }

    [Fact]
    public void RegistrationRejectsBadAndDuplicateNames()
    {
        using var net = new TestNet();
        using var t = Torch.Zeros([1]);
        Assert.Throws<ArgumentException>(() => net.RegisterParameter("head", t));
        Assert.Throws<ArgumentException>(() => net.RegisterBuffer("a.b", t));
        Assert.Throws<ArgumentException>(() => net.RegisterModule("", new ReLU()));
    }

    [Fact]
    public void TrainAndEvalAreRecursive()
    {
        using var net = new TestNet();
        Assert.True(net.Features[2].IsTraining);
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
    }

    [Fact]
    public void ParametersOutliveTheScopeTheModuleWasBuiltIn()
    {
        TestNet net;
        using (Torch.NewScope()) net = new TestNet();
        using (net)
        {
            Assert.All(net.StateDict().Values, t => Assert.False(t.IsDisposed));
            using var scope = Torch.NewScope();
            Assert.Equal(new long[] { 5, 2 }, net.Forward(Torch.Rand([5, 4])).Shape);
        }
        Assert.All(net.Parameters(), p => Assert.True(p.IsDisposed));
    }

    [Fact]
    public void LoadStateDictCopiesInPlaceAndConvertsDtypes()
    {
        using var a = new TestNet();
        using var b = new TestNet();
        using var scope = Torch.NewScope();
        var weight = b.Head.Weight;
        // An F16 copy of a's state (as in checkpoints stored at half precision).
        var half = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float16));
        b.LoadStateDict(half);
        Assert.Same(weight, b.Head.Weight);
        Assert.Equal(DType.Float32, b.Head.Weight.DType);
        Assert.True(b.Head.Weight.RequiresGrad);
        Assert.Equal(half["head.weight"].ToFloatArray(), b.Head.Weight.ToFloatArray());
        Assert.Equal(a.Head.Weight.ToFloatArray(), b.Head.Weight.ToFloatArray(), (x, y) => Math.Abs(x - y) <= 1e-3);
    }

    [Fact]
    public void StrictLoadListsMissingUnexpectedAndMismatchedKeys()
    {
        using var net = new TestNet();
        using var scope = Torch.NewScope();
        var before = net.Head.Weight.ToFloatArray();
        var dict = new Dictionary<string, Tensor>
        {
            ["features.0.weight"] = Torch.Zeros([3, 4]),
            ["head.weight"] = Torch.Zeros([2, 5]),
            ["extra.bias"] = Torch.Zeros([1]),
        };
        var e = Assert.Throws<InvalidDataException>(() => net.LoadStateDict(dict));
        Assert.Contains("missing keys: scale, features.0.bias", e.Message);
        Assert.Contains("unexpected keys: extra.bias", e.Message);
        Assert.Contains("head.weight: expected [2, 3], got [2, 5]", e.Message);
        Assert.Equal(before, net.Head.Weight.ToFloatArray());

        // Partial mode ignores missing/unexpected keys but still rejects a shape mismatch.
        var p = Assert.Throws<InvalidDataException>(() => net.LoadStateDict(dict, strict: false));
        Assert.DoesNotContain("missing", p.Message);
        Assert.Contains("head.weight", p.Message);
        dict.Remove("head.weight");
        var r = net.LoadStateDict(dict, strict: false);
        Assert.Equal(["scale", "features.0.bias", "head.weight"], r.MissingKeys);
        Assert.Equal(["extra.bias"], r.UnexpectedKeys);
        Assert.All(net.Features[0].StateDict()["weight"].ToFloatArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void BatchNormCountsMayBeAbsentAsInTorchvisionV1WeightsButRunningStatsMayNot()
    {
        using var source = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4));
        using var target = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4));
        source.Train();
        source.Forward(Torch.Randn([2, 3, 5, 5])).Dispose();
        target.Train();
        for (int i = 0; i < 3; i++) target.Forward(Torch.Randn([2, 3, 5, 5])).Dispose();
        Assert.Equal(3, target.StateDict()["1.num_batches_tracked"].ItemLong());

        using var scope = Torch.NewScope();
        var legacy = source.StateDict().Where(kv => !kv.Key.EndsWith("num_batches_tracked"))
            .ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var result = target.LoadStateDict(legacy); // strict
        Assert.Empty(result.MissingKeys);
        Assert.Equal(0, target.StateDict()["1.num_batches_tracked"].ItemLong()); // PyTorch resets it to 0 as well
        Assert.Equal(source.StateDict()["1.running_mean"].ToFloatArray(), target.StateDict()["1.running_mean"].ToFloatArray());

        using var dir = TestPaths.NewTempDir();
        var path = dir.File("legacy.safetensors");
        TensorSafeTensors.Write(path, legacy);
        target.Forward(Torch.Randn([2, 3, 5, 5]));
        target.LoadSafeTensors(path);
        Assert.Equal(0, target.StateDict()["1.num_batches_tracked"].ItemLong());

        legacy.Remove("1.running_mean");
        var e = Assert.Throws<InvalidDataException>(() => target.LoadStateDict(legacy));
        Assert.Contains("missing keys: 1.running_mean", e.Message);
    }
}
