using System.Globalization;
using Lah.Tests;
using Lah.Torch;
using Lah.Torch.Serialization;
using Lah.Vision.Models;
using Lah.Vision.Registry;
using Xunit;

namespace Lah.Vision.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Every <c>resnet_*</c> golden: torchvision weights load by name and reproduce layer4, max pool and logits.</summary>
public sealed class ResNetGoldenTests
{
    public static IEnumerable<object[]> Cases => TestPaths.GoldenCases("resnet_");

    /// <summary>Each golden with and without BatchNorm's num_batches_tracked (torchvision's v1 ResNet weights, from
    /// which timm's `*.tv_in1k` come, predate it).</summary>
    public static IEnumerable<object[]> CasesWithAndWithoutBatchCounts =>
        Cases.SelectMany(c => new[] { new object[] { c[0], true }, [c[0], false] });

    /// <summary>The ResNet a golden file describes: block, layers and width_per_group from metadata, classes from the logits.</summary>
    internal static ResNet Build(SafeTensorsFile file)
    {
        var m = file.Metadata;
        var block = m["block"] switch
        {
            "basic" => BlockKind.Basic,
            "bottleneck" => BlockKind.Bottleneck,
            var b => throw new InvalidDataException($"{file.Path}: unknown block '{b}'"),
        };
        var layers = m["layers"].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int width = m.TryGetValue("width_per_group", out var w) ? int.Parse(w, CultureInfo.InvariantCulture) : 64;
        int classes = (int)file["expected.logits"].Shape[1];
        return new ResNet(new ResNetConfig { Block = block, Layers = layers, WidthPerGroup = width, NumClasses = classes });
    }

    /// <summary>The file's weights alone (its input.* and expected.* entries left out), keys as torchvision wrote them.</summary>
    internal static Dictionary<string, Tensor> Weights(SafeTensorsFile file) =>
        file.Tensors.Where(t => !t.Name.StartsWith("input.", StringComparison.Ordinal) && !t.Name.StartsWith("expected.", StringComparison.Ordinal))
            .ToDictionary(t => t.Name, t => TensorSafeTensors.Read(file, t.Name));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Reproduces_layer4_global_max_pool_and_logits(string fileName)
    {
        using var file = SafeTensorsFile.Open(TestPaths.Golden(fileName));
        using var model = Build(file);
        var weights = Weights(file);
        try
        {
            model.LoadStateDict(weights, strict: true);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        Assert.Equal("eval", file.Metadata["mode"]);
        model.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var images = Torch.FromArray(file.ReadFloat32("input.images"), file["input.images"].Shape);
        var layer4 = model.ForwardFeatures(images);
        Assert.Equal(file["expected.layer4"].Shape, layer4.Shape);
        GoldenAssert.Close($"{fileName} expected.layer4", file.ReadFloat32("expected.layer4"), layer4.ToFloatArray());

        model.Pooling = GlobalPooling.Max;
        GoldenAssert.Close($"{fileName} expected.global_max_pool", file.ReadFloat32("expected.global_max_pool"),
            model.Pool(layer4).ToFloatArray());

        model.Pooling = GlobalPooling.Average;
        GoldenAssert.Close($"{fileName} expected.logits", file.ReadFloat32("expected.logits"), model.Forward(images).ToFloatArray());
    }

    [SkippableTheory]
    [MemberData(nameof(CasesWithAndWithoutBatchCounts))]
    public void A_torchvision_state_dict_saved_as_safetensors_loads_through_the_registry_loader(string fileName, bool batchCounts)
    {
        using var dir = TestPaths.NewTempDir();
        using var file = SafeTensorsFile.Open(TestPaths.Golden(fileName));
        var weights = Weights(file);
        // torchvision's state_dict() holds num_batches_tracked as 0-dim tensors; the goldens hold [1].
        var zeroDim = weights.Where(kv => batchCounts || !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key,
                kv => kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? kv.Value.Reshape([]) : kv.Value);
        var path = dir.File("torchvision.safetensors");
        TensorSafeTensors.Write(path, zeroDim);
        foreach (var t in zeroDim.Values.Concat(weights.Values).Distinct()) t.Dispose();

        using var model = Build(file);
        ModelRegistry.LoadWeights(model, path);
        model.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var images = Torch.FromArray(file.ReadFloat32("input.images"), file["input.images"].Shape);
        GoldenAssert.Close($"{fileName} expected.logits", file.ReadFloat32("expected.logits"), model.Forward(images).ToFloatArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Dropping_the_classifier_keeps_the_features(string fileName)
    {
        using var dir = TestPaths.NewTempDir();
        using var file = SafeTensorsFile.Open(TestPaths.Golden(fileName));
        var weights = Weights(file);
        var path = dir.File("w.safetensors");
        TensorSafeTensors.Write(path, weights);
        foreach (var t in weights.Values) t.Dispose();

        using var full = Build(file);
        var cfg = full.Config with { NumClasses = 0, Pooling = GlobalPooling.Max };
        using var model = new ResNet(cfg);
        ModelRegistry.LoadWeights(model, path);
        Assert.Null(model.Classifier);
        Assert.DoesNotContain(model.StateDict().Keys, k => k.StartsWith("fc.", StringComparison.Ordinal));
        model.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var images = Torch.FromArray(file.ReadFloat32("input.images"), file["input.images"].Shape);
        GoldenAssert.Close($"{fileName} expected.global_max_pool", file.ReadFloat32("expected.global_max_pool"),
            model.Forward(images).ToFloatArray());
    }
}
