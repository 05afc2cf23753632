using System.Runtime.InteropServices;
using Lah.Tests;
using Lah.Torch.Serialization;
using Xunit;

namespace Lah.Torch.Tests.Serialization;

public class SafeTensorsFileTests
{
    private static SafeTensorEntry F32(string name, long[] shape, float[] v) =>
        new(name, SafeDType.F32, shape, MemoryMarshal.AsBytes(v.AsSpan()).ToArray());

    [Fact]
    public void RoundTripKeepsEveryDtypeShapeValueAndMetadata()
    {
        using var tmp = TestPaths.NewTempDir();
        var path = tmp.File("x.safetensors");
        var f32 = new[] { 1.5f, -2f, 3.25f, 0f, 1e-8f, -7f };
        var f16 = new[] { (Half)0.5f, (Half)(-1.25f), (Half)65504f };
        var bf16 = new[] { 1f, -3.5f, 1e30f }.Select(SafeTensorsFile.SingleToBFloat16).ToArray();
        var i64 = new[] { long.MinValue, 0L, 42L, long.MaxValue };
        SafeTensorsWriter.Write(path, [
            F32("a.weight", [2, 3], f32),
            new("h", SafeDType.F16, [3], MemoryMarshal.AsBytes(f16.AsSpan()).ToArray()),
            new("b", SafeDType.BF16, [3], MemoryMarshal.AsBytes(bf16.AsSpan()).ToArray()),
            new("n", SafeDType.I64, [2, 2], MemoryMarshal.AsBytes(i64.AsSpan()).ToArray()),
            new("empty", SafeDType.F32, [0, 4], Array.Empty<byte>()),
        ], new Dictionary<string, string> { ["K"] = "48", ["note"] = "x y" });

        using var f = SafeTensorsFile.Open(path);
        Assert.Equal("48", f.Metadata["K"]);
        Assert.Equal("x y", f.Metadata["note"]);
        Assert.Equal(new long[] { 2, 3 }, f["a.weight"].Shape);
        Assert.Equal(f32, f.ReadFloat32("a.weight"));
        Assert.Equal(new[] { 0.5f, -1.25f, 65504f }, f.ReadFloat32("h"));
        Assert.Equal(new[] { 1f, -3.5f }, f.ReadFloat32("b").Take(2));
        Assert.Equal(1e30f, f.ReadFloat32("b")[2], 1e28f);
        Assert.Equal(i64, f.ReadInt64("n"));
        Assert.Empty(f.ReadFloat32("empty"));
        Assert.Equal(0, (8 + BitConverter.ToInt64(File.ReadAllBytes(path), 0)) % 8);
    }

    [Fact]
    public void BFloat16ConversionRoundsToNearestEven()
    {
        // 1 + 2^-8 lies exactly between two bf16 values: ties go to the even mantissa (1.0).
        Assert.Equal(1f, SafeTensorsFile.BFloat16ToSingle(SafeTensorsFile.SingleToBFloat16(1f + 1f / 256)));
        // 1 + 3·2^-8 lies between 1+2^-7 and 1+2^-6... ties to even → 1 + 2^-6.
        Assert.Equal(1f + 1f / 64, SafeTensorsFile.BFloat16ToSingle(SafeTensorsFile.SingleToBFloat16(1f + 3f / 256)));
        Assert.True(float.IsNaN(SafeTensorsFile.BFloat16ToSingle(SafeTensorsFile.SingleToBFloat16(float.NaN))));
    }

    public static IEnumerable<object[]> ResnetGoldens() => TestPaths.GoldenCases("resnet_");

    [SkippableTheory]
    [MemberData(nameof(ResnetGoldens))]
    public void ReadsEveryTensorOfTheResnetGoldens(string file)
    {
        using var f = SafeTensorsFile.Open(TestPaths.Golden(file));
        Assert.Contains(f.Tensors, t => t.DType == SafeDType.F16);
        Assert.Contains(f.Tensors, t => t.DType == SafeDType.I64 && t.Name.EndsWith("num_batches_tracked"));
        Assert.True(f.Contains("conv1.weight") && f.Contains("fc.bias") && f.Contains("expected.logits"));
        foreach (var t in f.Tensors)
        {
            if (t.DType == SafeDType.I64) Assert.Equal(t.ElementCount, f.ReadInt64(t.Name).Length);
            else Assert.All(f.ReadFloat32(t.Name), v => Assert.True(float.IsFinite(v), $"{t.Name} has a non-finite value"));
        }
        Assert.Equal(new long[] { 2, 3, 64, 64 }, f["input.images"].Shape);
    }

    [Fact]
    public void TruncatedFileNamesTheFileAndTheDefect()
    {
        using var tmp = TestPaths.NewTempDir();
        var path = tmp.File("t.safetensors");
        SafeTensorsWriter.Write(path, [F32("w", [4], [1, 2, 3, 4])]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", "needs 12 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"Q8\",\"shape\":[4],\"data_offsets\":[0,16]}}", "dtype")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}", "data_offsets")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("{not json", "not valid JSON")]
    // Shapes whose byte count wraps around 2^64 to exactly the 16 bytes present: unchecked, they passed for 4 floats.
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387905,4],\"data_offsets\":[0,16]}}", "shape overflows")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387908],\"data_offsets\":[0,16]}}", "shape overflows")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",16]}}", "must be two integers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", "appears twice")]
    public void MalformedHeadersAreRejected(string header, string expected)
    {
        using var tmp = TestPaths.NewTempDir();
        var path = tmp.File("m.safetensors");
        var h = System.Text.Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)h.Length), .. h, .. new byte[16]]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void ASymlinkedFileIsReadAtItsTargetsLength()
    {
        using var tmp = TestPaths.NewTempDir();
        var target = tmp.File("weights.safetensors");
        float[] values = [1, 2, 3, 4, 5, 6, 7, 8];
        SafeTensorsWriter.Write(target, [F32("w", [2, 4], values)]);
        var link = tmp.File("link.safetensors");
        File.CreateSymbolicLink(link, target);
        // The link's own length (that of the target's path) is not the file's: reading it must not use it.
        Assert.NotEqual(new FileInfo(target).Length, new FileInfo(link).Length);
        using var f = SafeTensorsFile.Open(link);
        Assert.Equal(values, f.ReadFloat32("w"));
        Assert.Equal(link, f.Path);
    }

    [Fact]
    public void AMissingFileOrDanglingLinkIsNotFoundNamingThePath()
    {
        using var tmp = TestPaths.NewTempDir();
        var link = tmp.File("dangling.safetensors");
        File.CreateSymbolicLink(link, tmp.File("gone.safetensors"));
        foreach (var path in new[] { tmp.File("absent.safetensors"), link })
            Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Open(path)).Message);
    }

    [Fact]
    public void MissingFileIsAFileNotFoundError()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Open("/nonexistent/x.safetensors"));
        Assert.Contains("/nonexistent/x.safetensors", e.Message);
    }
}
