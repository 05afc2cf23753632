using Lah.Tests;
using Lah.Torch;
using Lah.Torch.Serialization;
using Lah.Vision.Registry;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public sealed class ModelRegistryTests
{
    private static readonly ModelRegistry Registry = ModelRegistry.Default;

    [Fact]
    public void Lists_architectures_and_pretrained_tags_with_wildcards()
    {
        Assert.Equal(["resnet101", "resnet18", "resnet34", "resnet50", "smallcnn"], Registry.ListModels());
        Assert.Equal(["resnet101", "resnet18"], Registry.ListModels("resnet1*"));
        Assert.Equal(["resnet101.tv_in1k", "resnet18.tv_in1k", "resnet34.tv_in1k", "resnet50.tv_in1k"],
            Registry.ListModels(pretrained: true));
        var cfg = Registry.GetPretrainedConfig("resnet101.tv_in1k")!;
        Assert.Equal("timm/resnet101.tv_in1k", cfg.HfHubId);
        Assert.Equal((3, 224, 224), cfg.InputSize);
        Assert.Equal("fc", cfg.Classifier);
    }

    /// <summary>Every registered architecture builds, runs a tiny forward and backward, and reports its width truthfully.</summary>
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    [InlineData("smallcnn")]
    public void Every_architecture_runs_forward_and_backward_with_its_reported_sizes(string name)
    {
        Torch.ManualSeed(5);
        using var model = Registry.Create(name, new ModelOptions { NumClasses = 7 });
        using var scope = Torch.NewScope();
        var x = Torch.Randn([2, 3, 64, 64]);
        var map = model.ForwardFeatures(x);
        Assert.Equal(model.NumFeatures, map.Shape[1]);
        Assert.Equal(64 / model.FeatureStride, map.Shape[2]);
        var logits = model.Forward(x);
        Assert.Equal([2, 7], logits.Shape);
        logits.Sum().Backward();
        Assert.NotNull(model.Classifier!.Weight.Grad);
    }

    [Fact]
    public void Pretrained_weights_load_from_the_weights_folder_by_arch_tag_and_the_classifier_adapts()
    {
        using var dir = TestPaths.NewTempDir();
        Torch.ManualSeed(6);
        using (var source = Registry.Create("resnet18"))
        {
            // Stored as F16 like timm's uploads of torchvision weights converted for size.
            var half = source.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.DType == DType.Float32 ? kv.Value.To(DType.Float16) : kv.Value.Clone());
            Directory.CreateDirectory(Path.Combine(dir.Path, "resnet18.tv_in1k"));
            TensorSafeTensors.Write(Path.Combine(dir.Path, "resnet18.tv_in1k", "model.safetensors"), half);
            foreach (var t in half.Values) t.Dispose();
        }
        using var loaded = Registry.Create("resnet18.tv_in1k", new ModelOptions { WeightsDir = dir.Path });
        Assert.Equal(1000, loaded.NumClasses);
        using var features = Registry.Create("resnet18.tv_in1k", new ModelOptions { WeightsDir = dir.Path, NumClasses = 0 });
        Assert.Null(features.Classifier);
        using var retargeted = Registry.Create("resnet18", new ModelOptions { Pretrained = true, WeightsDir = dir.Path, NumClasses = 20 });
        Assert.Equal(20, retargeted.NumClasses);
        var w = loaded.StateDict()["layer3.1.conv2.weight"].ToFloatArray();
        Assert.Equal(w, features.StateDict()["layer3.1.conv2.weight"].ToFloatArray());
        Assert.Equal(w, retargeted.StateDict()["layer3.1.conv2.weight"].ToFloatArray());
        Torch.ManualSeed(7);
        using var fresh = Registry.Create("resnet18");
        Assert.NotEqual(w, fresh.StateDict()["layer3.1.conv2.weight"].ToFloatArray());
    }

    [Fact]
    public void Missing_weights_unknown_names_and_mismatched_keys_are_clear_errors()
    {
        using var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<FileNotFoundException>(() => Registry.Create("resnet50.tv_in1k", new ModelOptions { WeightsDir = dir.Path }));
        Assert.Contains("resnet50.tv_in1k", e.Message);
        Assert.Contains("huggingface.co/timm/resnet50.tv_in1k", e.Message);
        var a = Assert.Throws<ArgumentException>(() => Registry.Create("resnet77"));
        Assert.Contains("unknown architecture 'resnet77'", a.Message);
        a = Assert.Throws<ArgumentException>(() => Registry.Create("resnet50.in22k"));
        Assert.Contains("no pretrained tag 'in22k'", a.Message);

        // ResNet-18 weights offered to ResNet-34: the extra blocks are missing, by name.
        Torch.ManualSeed(8);
        var path = dir.File("r18.safetensors");
        using (var r18 = Registry.Create("resnet18")) r18.SaveSafeTensors(path);
        var d = Assert.Throws<InvalidDataException>(() => Registry.Create("resnet34", new ModelOptions { WeightsFile = path }));
        Assert.Contains(path, d.Message);
        Assert.Contains("layer1.2.conv1.weight", d.Message);
        // ResNet-18 weights offered to ResNet-50: shapes differ.
        d = Assert.Throws<InvalidDataException>(() => Registry.Create("resnet50", new ModelOptions { WeightsFile = path, NumClasses = 0 }));
        Assert.Contains(path, d.Message);
        Assert.Contains("layer1.0.conv1.weight", d.Message);
    }
}
