using System.IO.Compression;
using System.Text.Json;
using Lah.Tests;
using Lah.Torch;
using Lah.Torch.NN;
using Lah.Torch.Serialization;
using Lah.Vision.Registry;
using Xunit;

namespace Lah.Vision.Tests;

using Torch = Lah.Torch.Torch;

/// <summary>
/// torch.save (.pth) weights written by PyTorch from a ResNet golden's weights load through the native unpickler
/// and give the golden's layer4, like the safetensors route; bad files fail naming the file.
/// </summary>
public sealed class PyTorchWeightsTests : IDisposable
{
    private const string Golden = "resnet_basic_s7.safetensors";
    private readonly TempDir _dir = TestPaths.NewTempDir();

    public void Dispose() => _dir.Dispose();

    private SafeTensorsFile OpenGolden()
    {
        var path = TestPaths.Golden(Golden);
        PythonFixtures.Need(File.Exists(path), $"golden {path} not found (set LAH_GOLDENS_DIR)");
        return SafeTensorsFile.Open(path);
    }

    // Writes every fixture of Fixtures/make_pth.py into the temporary folder.
    private void MakeFixtures() =>
        PythonFixtures.Run(PythonFixtures.Script("make_pth.py"), [TestPaths.Golden(Golden), _dir.Path], "torch", "numpy");

    private static float[] Layer4(Models.ResNet model, SafeTensorsFile golden)
    {
        model.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var images = Torch.FromArray(golden.ReadFloat32("input.images"), golden["input.images"].Shape);
        return model.ForwardFeatures(images).ToFloatArray();
    }

    [SkippableFact]
    public void A_pth_state_dict_holds_the_goldens_tensors_and_reproduces_layer4_through_the_registry()
    {
        using var golden = OpenGolden();
        MakeFixtures();
        var pth = _dir.File("weights.pth");
        Assert.Equal(WeightsFormat.TorchZip, WeightsFormats.Detect(pth));

        var dict = TorchPickle.LoadStateDict(pth);
        try
        {
            var expected = ResNetGoldenTests.Weights(golden);
            Assert.Equal(expected.Keys, dict.Keys); // the file's order, which is the golden's
            foreach (var (k, t) in expected)
            {
                using var e = t;
                Assert.Equal(k.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? DType.Int64 : DType.Float32, dict[k].DType);
                using var want = e.To(DType.Float64).Reshape(dict[k].Shape);
                using var got = dict[k].To(DType.Float64);
                Assert.Equal(want.ToDoubleArray(), got.ToDoubleArray());
            }
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }

        using var model = ResNetGoldenTests.Build(golden);
        ModelRegistry.LoadWeights(model, pth);
        GoldenAssert.Close($"{Golden} expected.layer4 via .pth", golden.ReadFloat32("expected.layer4"), Layer4(model, golden));
    }

    [SkippableFact]
    public void Module_LoadStateDict_takes_a_pth_a_checkpoint_and_a_converted_file_alike()
    {
        using var golden = OpenGolden();
        MakeFixtures();
        var expected = golden.ReadFloat32("expected.layer4");

        using (var model = ResNetGoldenTests.Build(golden))
        {
            var result = model.LoadStateDict(_dir.File("checkpoint.pth"));
            Assert.Empty(result.MissingKeys);
            GoldenAssert.Close("layer4 via checkpoint['state_dict']", expected, Layer4(model, golden));
        }

        // The .pth converted to safetensors; the destination's extension says nothing, the magic decides.
        var converted = _dir.File("converted.weights");
        Assert.Equal(74, WeightsConverter.Convert(_dir.File("weights.pth"), converted));
        Assert.Equal(WeightsFormat.SafeTensors, WeightsFormats.Detect(converted));
        using (var st = SafeTensorsFile.Open(converted))
            Assert.Equal(SafeDType.F32, st["conv1.weight"].DType);
        using (var model = ResNetGoldenTests.Build(golden))
        {
            model.LoadStateDict(converted, strict: true);
            GoldenAssert.Close("layer4 via converted safetensors", expected, Layer4(model, golden));
        }
    }

    [SkippableFact]
    public void A_genuine_Module_state_dict_loads_with_its_keys_shapes_and_values()
    {
        using var golden = OpenGolden();
        MakeFixtures();
        var dict = TorchPickle.LoadStateDict(_dir.File("module.pth"));
        try
        {
            Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "2.weight", "2.bias"],
                dict.Keys);
            Assert.Equal([4L, 3, 3, 3], dict["0.weight"].Shape);
            Assert.Empty(dict["1.num_batches_tracked"].Shape);
            var raw = File.ReadAllBytes(_dir.File("module.f64"));
            var expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(raw).ToArray();
            var actual = dict.Values.SelectMany(t =>
            {
                using var d = t.To(DType.Float64);
                return d.ToDoubleArray();
            }).ToArray();
            Assert.Equal(expected, actual);
            Assert.NotEqual(0.0, expected[^12..].Select(Math.Abs).Sum()); // the Linear's random weights made it through
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    [SkippableFact]
    public void Views_shared_storage_and_int8_come_out_as_their_values()
    {
        using var golden = OpenGolden();
        MakeFixtures();
        var dict = TorchPickle.LoadStateDict(_dir.File("views.pth"));
        try
        {
            Assert.Equal([4L, 3L], dict["t"].Shape);
            Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], dict["t"].Contiguous().ToFloatArray());
            Assert.Equal([4f, 5, 6, 7], dict["row"].ToFloatArray());
            Assert.Equal(DType.Int64, dict["i8"].DType);
            Assert.Equal([-3L, 7], dict["i8"].ToLongArray());
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    [SkippableFact]
    public void Files_that_are_not_state_dicts_fail_naming_the_file_and_what_was_found()
    {
        using var golden = OpenGolden();
        MakeFixtures();
        var list = Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(_dir.File("list.pth")));
        Assert.Contains(_dir.File("list.pth"), list.Message);
        Assert.Contains("not a state dict", list.Message);

        var mixed = Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(_dir.File("mixed.pth")));
        Assert.Contains("'lr'", mixed.Message);

        var legacy = Assert.Throws<InvalidDataException>(() => WeightsFormats.ReadStateDict(_dir.File("legacy.pth")));
        Assert.Contains("legacy", legacy.Message);
        Assert.Contains(_dir.File("legacy.pth"), legacy.Message);

        var bytes = File.ReadAllBytes(_dir.File("weights.pth"));
        var truncated = _dir.File("truncated.pth");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var cut = Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(truncated));
        Assert.Contains(truncated, cut.Message);

        using var model = ResNetGoldenTests.Build(golden);
        var missing = _dir.File("absent.pth");
        var nf = Assert.Throws<FileNotFoundException>(() => ModelRegistry.LoadWeights(model, missing));
        Assert.Contains(missing, nf.Message);
    }

    // Writes Fixtures/make_pth_corners.py's files (no golden needed); expected.json holds each state dict's file
    // order and every tensor's shape, dtype and values as float64.
    private JsonElement MakeCorners()
    {
        PythonFixtures.Run(PythonFixtures.Script("make_pth_corners.py"), [_dir.Path], "torch", "numpy");
        return JsonDocument.Parse(File.ReadAllText(_dir.File("expected.json"))).RootElement.Clone();
    }

    // int8/int16 widen to Int64 (no C# dtype); the rest keep PyTorch's dtype.
    private static DType DTypeOf(string torchName) => torchName switch
    {
        "float32" => DType.Float32,
        "float64" => DType.Float64,
        "float16" => DType.Float16,
        "bfloat16" => DType.BFloat16,
        "int32" => DType.Int32,
        "int64" or "int16" or "int8" => DType.Int64,
        "uint8" => DType.UInt8,
        "bool" => DType.Bool,
        _ => throw new ArgumentException(torchName),
    };

    private void AssertStateDict(JsonElement expected, string file)
    {
        var want = expected.GetProperty(file);
        var dict = TorchPickle.LoadStateDict(_dir.File(file));
        try
        {
            Assert.Equal(want.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).ToArray(), dict.Keys.ToArray());
            foreach (var t in want.GetProperty("tensors").EnumerateObject())
            {
                var got = dict[t.Name];
                Assert.Equal(t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), got.Shape);
                Assert.Equal(DTypeOf(t.Value.GetProperty("dtype").GetString()!), got.DType);
                using var f64 = got.To(DType.Float64);
                var values = t.Value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                Assert.True(values.SequenceEqual(f64.ToDoubleArray()), $"{file} '{t.Name}': [{string.Join(", ", f64.ToDoubleArray())}]");
            }
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    [SkippableFact]
    public void Strided_and_offset_views_every_storage_type_and_tied_keys_load_in_file_order()
    {
        var expected = MakeCorners();
        AssertStateDict(expected, "views.pth");

        // One tensor object under two keys gives two tensors the caller owns separately.
        var dict = TorchPickle.LoadStateDict(_dir.File("views.pth"));
        dict["tied.a"].Dispose();
        Assert.Equal([0.25f, -0.5f], dict["tied.b"].ToFloatArray());
        foreach (var (k, t) in dict)
            if (k != "tied.a") t.Dispose();
    }

    [SkippableFact]
    public void An_OrderedDict_longer_than_a_pickle_batch_keeps_the_file_order()
    {
        var expected = MakeCorners();
        AssertStateDict(expected, "big.pth");
    }

    [SkippableFact]
    public void A_checkpoint_gives_its_model_entry_beside_numpy_namespace_and_nested_dicts()
    {
        var expected = MakeCorners();
        AssertStateDict(expected, "checkpoint.pth");
    }

    [SkippableFact]
    public void Damaged_archives_and_pickles_fail_naming_the_file_and_the_cause()
    {
        MakeCorners();
        void Fails(string file, string cause)
        {
            var path = _dir.File(file);
            var e = Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(cause, e.Message);
            Assert.DoesNotContain("\n", e.Message);
        }

        Fails("complex.pth", "unsupported storage type torch.ComplexFloatStorage");
        Fails("short_storage.pth", "'w': shape [4] and strides reach past its storage (8 bytes)");
        Fails("no_storage.pth", "'w': storage data/0 is missing");
        Fails("bad_pickle.pth", "data.pkl is not a readable pickle");
        Fails("cut_pickle.pth", "data.pkl is not a readable pickle");
        Fails("big_endian.pth", "byteorder is 'big'");
        Fails("counter.pth", "collections.Counter");
    }

    [Fact]
    public void Archives_whose_pickle_is_garbage_or_no_dict_fail_naming_the_file_without_python()
    {
        string Archive(string name, byte[] pickle)
        {
            var path = _dir.File(name);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                using var s = zip.CreateEntry("archive/data.pkl").Open();
                s.Write(pickle);
            }
            return path;
        }

        var opcode = Archive("opcode.pth", [0x80, 0x02, 0xff]);
        var e = Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(opcode));
        Assert.Contains(opcode, e.Message);
        Assert.Contains("data.pkl is not a readable pickle", e.Message);

        var empty = Archive("empty.pth", []);
        Assert.Contains(empty, Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(empty)).Message);

        var none = Archive("none.pth", [0x80, 0x02, (byte)'N', (byte)'.']);
        var n = Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(none));
        Assert.Contains(none, n.Message);
        Assert.Contains("holds None, not a state dict", n.Message);

        // {'w': 1.5}: a dict, but not of tensors.
        var floats = Archive("floats.pth", [0x80, 0x02, (byte)'}', (byte)'X', 1, 0, 0, 0, (byte)'w', (byte)'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, (byte)'s', (byte)'.']);
        Assert.Contains("'w' is a float, not a tensor", Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(floats)).Message);
    }

    [Fact]
    public void Garbage_and_zip_lookalikes_fail_naming_the_file_without_python()
    {
        var junk = _dir.File("junk.bin");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        Assert.Equal(WeightsFormat.Unknown, WeightsFormats.Detect(junk));
        Assert.Contains(junk, Assert.Throws<InvalidDataException>(() => WeightsFormats.ReadStateDict(junk)).Message);

        var fakeZip = _dir.File("fake.pth");
        File.WriteAllBytes(fakeZip, [(byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Contains(fakeZip, Assert.Throws<InvalidDataException>(() => TorchPickle.LoadStateDict(fakeZip)).Message);
    }

    [Fact]
    public void A_trained_model_file_keeps_its_experiment_record_with_the_weights()
    {
        using var head = new Linear(6, 4);
        const string yaml = "name: dch-coco\nbits: 4\nloss:\n  kind: dch\n  gamma: 20\n";
        var path = _dir.File("head.safetensors");
        TrainedModelFile.Save(path, head, yaml, new Dictionary<string, string> { ["epoch"] = "12" });

        Assert.Equal(yaml, TrainedModelFile.ReadExperiment(path));
        using var back = TrainedModelFile.Load(path);
        Assert.Equal(yaml, back.Experiment);
        Assert.Equal("12", back.Metadata["epoch"]);
        Assert.Equal(head.Weight.ToFloatArray(), back.Tensors["weight"].ToFloatArray());

        using var again = new Linear(6, 4);
        again.LoadStateDict(back.Tensors);
        Assert.Equal(head.Bias!.ToFloatArray(), again.Bias!.ToFloatArray());

        Assert.Throws<ArgumentException>(() =>
            TrainedModelFile.Save(path, head, yaml, new Dictionary<string, string> { [TrainedModelFile.ExperimentKey] = "x" }));
        var plain = _dir.File("plain.safetensors");
        head.SaveSafeTensors(plain);
        Assert.Null(TrainedModelFile.ReadExperiment(plain));
    }
}
