using Lah.Torch;
using Lah.Torch.NN;
using Lah.Vision.Models;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class ResNetTests
{
    // torchvision's published parameter counts (torchvision.models docs, "num_params").
    [Theory]
    [InlineData("resnet18", 11_689_512)]
    [InlineData("resnet34", 21_797_672)]
    [InlineData("resnet50", 25_557_032)]
    public void Parameter_counts_match_torchvision(string arch, long expected)
    {
        using var g = new Generator(0);
        using var model = Registry.ModelRegistry.Default.Create(arch, generator: g);
        Assert.Equal(expected, model.Parameters().Sum(p => p.NumEl));
    }

    /// <summary>torchvision's state-dict layout written out independently: stem, blocks with their BNs, shortcut on block 0, fc.</summary>
    private static List<string> TorchvisionKeys(BlockKind block, int[] layers)
    {
        string[] bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];
        var keys = new List<string> { "conv1.weight" };
        keys.AddRange(bn.Select(b => "bn1." + b));
        int convs = block == BlockKind.Basic ? 2 : 3;
        for (int s = 0; s < 4; s++)
            for (int b = 0; b < layers[s]; b++)
            {
                var p = $"layer{s + 1}.{b}.";
                for (int c = 1; c <= convs; c++)
                {
                    keys.Add($"{p}conv{c}.weight");
                    keys.AddRange(bn.Select(x => $"{p}bn{c}.{x}"));
                }
                // BasicBlock's layer1 keeps 64 channels at stride 1: no shortcut there.
                if (b == 0 && !(block == BlockKind.Basic && s == 0))
                {
                    keys.Add($"{p}downsample.0.weight");
                    keys.AddRange(bn.Select(x => $"{p}downsample.1.{x}"));
                }
            }
        keys.Add("fc.weight");
        keys.Add("fc.bias");
        return keys;
    }

    [Fact]
    public void State_dict_names_and_order_are_torchvisions()
    {
        using var r18 = new ResNet(ResNetConfig.ResNet18);
        Assert.Equal(TorchvisionKeys(BlockKind.Basic, [2, 2, 2, 2]), r18.StateDict().Keys.ToList());
        using var r50 = new ResNet(ResNetConfig.ResNet50);
        Assert.Equal(TorchvisionKeys(BlockKind.Bottleneck, [3, 4, 6, 3]), r50.StateDict().Keys.ToList());
        Assert.Equal([2048, 1024, 1, 1], r50.StateDict()["layer4.0.downsample.0.weight"].Shape);
        Assert.Equal(DType.Int64, r50.StateDict()["bn1.num_batches_tracked"].DType);
    }

    [Fact]
    public void Width_per_group_sets_the_bottleneck_width()
    {
        using var m = new ResNet(new ResNetConfig { Layers = [1, 1, 1, 1], WidthPerGroup = 16 });
        Assert.Equal([16, 64, 1, 1], m.StateDict()["layer1.0.conv1.weight"].Shape);
        Assert.Equal([128, 1024, 1, 1], m.StateDict()["layer4.0.conv1.weight"].Shape);
        Assert.Equal(2048, m.NumFeatures);
    }

    [Fact]
    public void A_448_input_gives_a_14x14_conv5_map_and_max_pooling_is_its_spatial_max()
    {
        Torch.ManualSeed(1);
        using var model = new ResNet(ResNetConfig.ResNet18 with { NumClasses = 0, Pooling = GlobalPooling.Max });
        model.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = Torch.Randn([1, 3, 448, 448]);
        var map = model.ForwardFeatures(x);
        Assert.Equal([1, 512, 14, 14], map.Shape);
        var pooled = model.ForwardPooled(x);
        Assert.Equal([1, 512], pooled.Shape);
        var m = map.ToFloatArray();
        var p = pooled.ToFloatArray();
        for (int c = 0; c < 512; c++)
            Assert.Equal(m.AsSpan(c * 196, 196).ToArray().Max(), p[c]);
        model.Pooling = GlobalPooling.Average;
        Assert.Equal(m.AsSpan(0, 196).ToArray().Average(), model.ForwardPooled(x).ToFloatArray()[0], 4);
    }

    [Fact]
    public void Training_mode_uses_batch_statistics_and_updates_running_ones_eval_mode_does_not()
    {
        Torch.ManualSeed(2);
        using var model = new ResNet(new ResNetConfig { Block = BlockKind.Basic, Layers = [1, 1, 1, 1], NumClasses = 4 });
        using var scope = Torch.NewScope();
        var x = Torch.Randn([4, 3, 64, 64]) * 3.0 + 1.0;
        var bn1 = model.StateDict()["bn1.running_mean"];
        model.Eval();
        using (Torch.NoGrad())
        {
            var a = model.Forward(x).ToFloatArray();
            Assert.All(bn1.ToFloatArray(), v => Assert.Equal(0f, v));
            model.Train();
            var b = model.Forward(x).ToFloatArray();
            Assert.NotEqual(a, b);
        }
        Assert.Contains(bn1.ToFloatArray(), v => v != 0f);
        Assert.Equal(1, model.StateDict()["bn1.num_batches_tracked"].ItemLong());
    }

    [Fact]
    public void Forward_and_backward_reach_every_parameter()
    {
        Torch.ManualSeed(3);
        using var model = new ResNet(new ResNetConfig { Layers = [1, 1, 1, 1], WidthPerGroup = 16, NumClasses = 3 });
        using var scope = Torch.NewScope();
        model.Forward(Torch.Randn([2, 3, 64, 64])).Pow(2).Sum().Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            var g = p.Grad;
            Assert.True(g is not null, $"{name} has no gradient");
            Assert.True(g!.Abs().Sum().ItemDouble() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void Bad_configurations_and_inputs_name_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => new ResNet(new ResNetConfig { Layers = [1, 1, 1] }));
        Assert.Contains("ResNetConfig.Layers", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ResNet(ResNetConfig.ResNet18 with { WidthPerGroup = 32 }));
        Assert.Contains("BasicBlock", e.Message);
        using var model = new ResNet(new ResNetConfig { Block = BlockKind.Basic, Layers = [1, 1, 1, 1], NumClasses = 0 });
        using var scope = Torch.NewScope();
        e = Assert.Throws<ArgumentException>(() => model.ForwardFeatures(Torch.Zeros([1, 1, 32, 32])));
        Assert.Contains("N×3×H×W", e.Message);
        Assert.Throws<InvalidOperationException>(() => model.ForwardHead(Torch.Zeros([1, 512])));
    }
}
