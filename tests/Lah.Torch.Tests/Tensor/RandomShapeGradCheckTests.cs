using Xunit;

namespace Lah.Torch.Tests.Tensors;

/// <summary>
/// Finite-difference gradient checks on shapes drawn from a seeded generator: broadcasting, batched matmul, reductions
/// over arbitrary dims and convolution geometry are where hand-picked shapes miss bugs.
/// </summary>
public class RandomShapeGradCheckTests
{
    private const int Seeds = 6;

    public static IEnumerable<object[]> SeedList() => Enumerable.Range(1, Seeds).Select(s => new object[] { s });

    private static long[] RandomShape(Random rng, int minRank, int maxRank, int maxSize = 4) =>
        Enumerable.Range(0, rng.Next(minRank, maxRank + 1)).Select(_ => (long)rng.Next(1, maxSize + 1)).ToArray();

    private static (double[], long[]) Input(Random rng, long[] shape, bool positive = false)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return (positive ? GradCheck.Positive(rng, n) : GradCheck.AwayFromZero(rng, n), shape);
    }

    /// <summary>A shape that broadcasts against <paramref name="shape"/>: some dims become 1, some leading dims vanish.</summary>
    private static long[] BroadcastPartner(Random rng, long[] shape)
    {
        var partner = shape.Select(d => rng.Next(3) == 0 ? 1L : d).ToArray();
        return partner.Skip(rng.Next(shape.Length)).ToArray();
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void BroadcastingArithmetic(int seed)
    {
        var rng = new Random(seed);
        var a = RandomShape(rng, 1, 3);
        var b = BroadcastPartner(rng, a);
        if (rng.Next(2) == 0) (a, b) = (b, a);
        GradCheck.Check(x => (x[0] + x[1]) * x[0] - x[1].Maximum(x[0]) / x[2], [Input(rng, a), Input(rng, b), Input(rng, b, positive: true)]);
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void BatchedMatmulBroadcastsTheBatch(int seed)
    {
        var rng = new Random(seed);
        long m = rng.Next(1, 5), k = rng.Next(1, 5), n = rng.Next(1, 5), batch = rng.Next(1, 4);
        // (batch, m, k) @ (k, n): the right operand is broadcast over the batch.
        GradCheck.Check(x => x[0].MatMul(x[1]), [Input(rng, [batch, m, k]), Input(rng, [k, n])]);
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void ReductionsOverRandomDims(int seed)
    {
        var rng = new Random(seed);
        var shape = RandomShape(rng, 1, 4, maxSize: 3);
        var dims = Enumerable.Range(0, shape.Length).Where(_ => rng.Next(2) == 0).Select(d => (long)d).DefaultIfEmpty(0).ToArray();
        bool keep = rng.Next(2) == 0;
        long dim = rng.Next(shape.Length);
        GradCheck.Check(
            x => x[0].Sum(dims, keep).Sum() + x[0].Mean(dims, keep).Square().Sum() + x[0].Amax(dims, keep).Sum()
                 + x[0].LogSoftmax(dim).Sum(dims, keep).Exp().Sum() + x[0].Norm(2, dims, keep).Sum(),
            [Input(rng, shape)]);
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void PermuteAndReshape(int seed)
    {
        var rng = new Random(seed);
        var shape = RandomShape(rng, 2, 4, maxSize: 3);
        var perm = Enumerable.Range(0, shape.Length).Select(d => (long)d).OrderBy(_ => rng.Next()).ToArray();
        GradCheck.Check(x => x[0].Permute(perm).Reshape(-1).Tanh(), [Input(rng, shape)]);
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void ConvolutionGeometry(int seed)
    {
        var rng = new Random(seed);
        int groups = rng.Next(1, 3);
        long batch = rng.Next(1, 3), cin = groups * rng.Next(1, 3), cout = groups * rng.Next(1, 3);
        int kh = rng.Next(1, 4), kw = rng.Next(1, 4), stride = rng.Next(1, 3), pad = rng.Next(0, 2);
        long h = kh + rng.Next(0, 4), w = kw + rng.Next(0, 4);
        GradCheck.Check(
            x => F.Conv2d(x[0], x[1], x[2], (stride, stride), (pad, pad), (1, 1), groups),
            [Input(rng, [batch, cin, h, w]), Input(rng, [cout, cin / groups, kh, kw]), Input(rng, [cout])]);
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void PoolingAndResampling(int seed)
    {
        var rng = new Random(seed);
        long c = rng.Next(1, 3), h = rng.Next(2, 7), w = rng.Next(2, 7);
        int oh = rng.Next(1, 6), ow = rng.Next(1, 6), k = rng.Next(1, (int)Math.Min(h, w) + 1);
        bool align = rng.Next(2) == 0;
        GradCheck.Check(
            x => F.MaxPool2d(x[0], k, 1).Sum() + F.AdaptiveAvgPool2d(x[0], (oh, ow)).Sum([1])
                 + F.InterpolateBilinear(x[0], (oh, ow), align).Square().Sum(),
            [Input(rng, [1, c, h, w])]);
    }
}
