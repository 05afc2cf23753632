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
        using var g = new Generator(5);
        using var model = Registry.Create(name, new ModelOptions { NumClasses = 7 }, g);
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
        using (var g = new Generator(6))
        using (var source = Registry.Create("resnet18", generator: g))
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
        using var g7 = new Generator(7);
        using var fresh = Registry.Create("resnet18", generator: g7);
        Assert.NotEqual(w, fresh.StateDict()["layer3.1.conv2.weight"].ToFloatArray());
    }

    [Fact]
    public void Missing_weights_unknown_names_and_mismatched_keys_are_clear_errors()
    {
        using var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<FileNotFoundException>(() => Registry.Create("resnet50.tv_in1k", new ModelOptions { WeightsDir = dir.Path }));
        Assert.Contains("resnet50.tv_in1k", e.Message);
        Assert.Contains("huggingface.co/timm/resnet50.tv_in1k", e.Message);
        using var g = new Generator(8);
        var a = Assert.Throws<ArgumentException>(() => Registry.Create("resnet77", generator: g));
        Assert.Contains("unknown architecture 'resnet77'", a.Message);
        a = Assert.Throws<ArgumentException>(() => Registry.Create("resnet50.in22k", generator: g));
        Assert.Contains("no pretrained tag 'in22k'", a.Message);

        // ResNet-18 weights offered to ResNet-34: the extra blocks are missing, by name.
        var path = dir.File("r18.safetensors");
        using (var r18 = Registry.Create("resnet18", generator: g))
            r18.SaveSafeTensors(path);
        var d = Assert.Throws<InvalidDataException>(() => Registry.Create("resnet34", new ModelOptions { WeightsFile = path }));
        Assert.Contains(path, d.Message);
        Assert.Contains("layer1.2.conv1.weight", d.Message);
        // ResNet-18 weights offered to ResNet-50: shapes differ.
        d = Assert.Throws<InvalidDataException>(() => Registry.Create("resnet50", new ModelOptions { WeightsFile = path, NumClasses = 0 }));
        Assert.Contains(path, d.Message);
        Assert.Contains("layer1.0.conv1.weight", d.Message);
    }

    private static Dictionary<string, float[]> Weights(Backbone model) =>
        model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float32).ToFloatArray());

    /// <summary>
    /// The generator alone decides the initial weights: the same seed gives the same weights on every call, whatever is
    /// drawn from libtorch's global generator in between; another seed gives other weights.
    /// </summary>
    [Theory]
    [InlineData("resnet18", null)]
    [InlineData("smallcnn", null)]
    [InlineData("smallcnn", new[] { 8, 16, 24 })]
    public void A_generator_seed_fixes_the_weights_whatever_the_global_generator_draws(string name, int[]? widths)
    {
        var options = new ModelOptions { NumClasses = 5, Widths = widths };
        Dictionary<string, float[]> Build(long seed)
        {
            using var g = new Generator(seed);
            using var model = Registry.Create(name, options, g);
            return Weights(model);
        }

        var first = Build(11);
        using (Torch.NewScope())
            Torch.Randn([1000]); // a draw from the global generator
        var again = Build(11);
        var other = Build(12);
        Assert.Equal(first.Keys, again.Keys);
        foreach (var (key, w) in first) Assert.Equal(w, again[key]);
        Assert.NotEqual(first["fc.weight"], other["fc.weight"]);
        var firstConv = name == "smallcnn" ? "features.0.conv.weight" : "conv1.weight";
        Assert.NotEqual(first[firstConv], other[firstConv]);
    }

    [Fact]
    public void The_small_cnn_takes_its_widths_from_the_options_and_a_resnet_rejects_them()
    {
        using var g = new Generator(3);
        using var model = Registry.Create("smallcnn", new ModelOptions { Widths = [8, 16, 24, 40], NumClasses = 0 }, g);
        var cnn = Assert.IsType<Models.SmallCnn>(model);
        Assert.Equal([8, 16, 24, 40], cnn.Config.Widths);
        Assert.Equal(40, model.NumFeatures);
        Assert.Equal(8, model.FeatureStride);
        Assert.Equal(GlobalPooling.Max, model.Pooling);
        Assert.Null(model.Classifier);
        using var defaults = Registry.Create("smallcnn", generator: g);
        Assert.Equal(new Models.SmallCnnConfig().Widths, ((Models.SmallCnn)defaults).Config.Widths);

        var e = Assert.Throws<ArgumentException>(() => Registry.Create("resnet18", new ModelOptions { Widths = [8, 16] }, g));
        Assert.Contains("ModelOptions.Widths", e.Message);
        Assert.Contains("resnet18", e.Message);
        e = Assert.Throws<ArgumentException>(() => Registry.Create("smallcnn", new ModelOptions { Widths = [8, 0] }, g));
        Assert.Contains("Widths", e.Message);
    }

    [Fact]
    public void Random_weights_need_a_generator_and_loaded_ones_do_not()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Registry.Create("smallcnn"));
        Assert.Equal("generator", e.ParamName);
        Assert.Contains("smallcnn", e.Message);

        // Weights loaded by file into the widths they were saved with; without a generator, the fresh classifier
        // (another class count) starts the same on every call.
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("cnn.safetensors");
        var widths = new[] { 8, 12 };
        Dictionary<string, float[]> saved;
        using (var g = new Generator(4))
        using (var source = Registry.Create("smallcnn", new ModelOptions { Widths = widths, NumClasses = 3 }, g))
        {
            source.SaveSafeTensors(path);
            saved = Weights(source);
        }
        using var a = Registry.Create("smallcnn", new ModelOptions { Widths = widths, NumClasses = 6, WeightsFile = path });
        using var b = Registry.Create("smallcnn", new ModelOptions { Widths = widths, NumClasses = 6, WeightsFile = path });
        var wa = Weights(a);
        Assert.Equal(saved["features.1.conv.weight"], wa["features.1.conv.weight"]);
        Assert.Equal(wa["fc.weight"], Weights(b)["fc.weight"]);
        Assert.Equal([6, 12], a.StateDict()["fc.weight"].Shape);
    }
}
