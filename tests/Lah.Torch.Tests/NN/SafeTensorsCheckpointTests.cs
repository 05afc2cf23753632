using Lah.Tests;
using Lah.Torch.NN;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Torch.Tests.NN;

public class SafeTensorsCheckpointTests
{
    private static Sequential Net() => new(new Conv2d(3, 4, 3, bias: false), new BatchNorm2d(4), new ReLU(), new Flatten(), new Linear(4, 2));

    [Fact]
    public void F32RoundTripIsExactAndKeepsDtypes()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "net.safetensors");
        using var a = Net();
        using var b = Net();
        using (Torch.NewScope())
        {
            a.Train();
            a.Forward(Torch.Randn([2, 3, 3, 3])); // moves running stats and num_batches_tracked away from their defaults
        }
        a.SaveSafeTensors(path, new Dictionary<string, string> { ["note"] = "test" });
        using (var file = SafeTensorsFile.Open(path))
        {
            Assert.Equal(a.StateDict().Keys.Order(), file.Tensors.Select(t => t.Name).Order());
            Assert.Equal(SafeDType.I64, file["1.num_batches_tracked"].DType);
            Assert.Equal("test", file.Metadata["note"]);
        }
        b.LoadSafeTensors(path);
        foreach (var (name, t) in a.StateDict())
            Assert.Equal(t.ToDoubleArray(), b.StateDict()[name].ToDoubleArray());
        Assert.Equal(1, ((BatchNorm2d)b[1]).NumBatchesTracked!.ItemLong());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void F16CheckpointsLoadIntoF32Weights()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "half.safetensors");
        using var a = Net();
        using var b = Net();
        using (Torch.NewScope())
            TensorSafeTensors.Write(path, a.StateDict().Select(kv =>
                KeyValuePair.Create(kv.Key, kv.Value.DType == DType.Float32 ? kv.Value.To(DType.Float16) : kv.Value)));
        b.LoadSafeTensors(path);
        using var scope = Torch.NewScope();
        var w = ((Linear)b[4]).Weight;
        Assert.Equal(DType.Float32, w.DType);
        Assert.Equal(((Linear)a[4]).Weight.To(DType.Float16).ToFloatArray(), w.ToFloatArray());
    }

    [Fact]
    public void MissingAndMismatchedTensorsInAFileAreNamed()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "other.safetensors");
        using (var other = new Sequential(new Conv2d(3, 5, 3, bias: false))) other.SaveSafeTensors(path);
        using var net = Net();
        var e = Assert.Throws<InvalidDataException>(() => net.LoadSafeTensors(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0.weight: expected [4, 3, 3, 3], got [5, 3, 3, 3]", e.Message);
        Assert.Contains("missing keys: 1.weight", e.Message);
    }
}
