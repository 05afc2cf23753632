using BenchmarkDotNet.Attributes;
using Lah.Data;

namespace Lah.Benchmarks;

/// <summary>BenchmarkDotNet view of one sample photo through decode and resize (`bench bdn --filter *Jpeg*`).</summary>
[MemoryDiagnoser]
public class JpegPipelineBenchmarks
{
    private byte[] _jpeg = [];
    private RgbImage _decoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        var env = Environment.GetEnvironmentVariable("LAH_JPEG_SAMPLES");
        var dir = env is { Length: > 0 } ? env : DataPaths.RequireData("jpeg-samples");
        var file = Directory.GetFiles(dir, "*.jpg").Order(StringComparer.Ordinal).First();
        _jpeg = File.ReadAllBytes(file);
        _decoded = JpegDecoder.Decode(_jpeg, file);
    }

    [Benchmark]
    public RgbImage Decode() => JpegDecoder.Decode(_jpeg, "sample");

    [Benchmark]
    public RgbImage Resize448() => Resize.Apply(_decoded, 448, 448);

    [Benchmark]
    public float[] DecodeResizeNormalize() => ImageNetNormalize.ToChw(Resize.Apply(JpegDecoder.Decode(_jpeg, "sample"), 448, 448));
}
