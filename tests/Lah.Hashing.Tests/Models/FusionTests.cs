using Lah.Hashing.Modules;
using Lah.Torch;
using Xunit;

namespace Lah.Hashing.Tests.Models;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

public class FusionTests
{
    [Theory]
    [InlineData(12, 12)]
    [InlineData(12, 4)]
    [InlineData(12, 1)]
    public void GroupedMatrixProductsEqualTheLoopOverImagesAndLabels(int j, int stride)
    {
        const int b = 3, r = 5;
        var rng = new Random(j * 31 + stride);
        var img = Enumerable.Range(0, b * j).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var lab = Enumerable.Range(0, r * j).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        using var scope = Torch.NewScope();
        var fused = Fusion.Mfb(Torch.FromArray(img, b, j), Torch.FromArray(lab, r, j), stride, dropout: 0.5, training: false);
        var pooled = Fusion.SumPool(Fusion.Product(Torch.FromArray(img, b, j), Torch.FromArray(lab, r, j)), stride);
        int g = j / stride;
        var expected = new float[b * r * g];
        // The official loop: out[i, c·g : (c+1)·g] = (img_i ⊙ lab_c).view(g, stride).sum(1).
        for (int i = 0; i < b; i++)
            for (int c = 0; c < r; c++)
                for (int q = 0; q < g; q++)
                    for (int s = 0; s < stride; s++)
                        expected[i * r * g + c * g + q] += img[i * j + q * stride + s] * lab[c * j + q * stride + s];
        Assert.Equal(new long[] { b, r * g }, fused.Shape);
        Assert.Equal(expected, fused.ToFloatArray(), (x, y) => Math.Abs(x - y) < 1e-5);
        Assert.Equal(expected, pooled.ToFloatArray(), (x, y) => Math.Abs(x - y) < 1e-5);
    }

    [Fact]
    public void DropoutDrawsAnIndependentMaskPerImageLabelPair()
    {
        const int b = 4, r = 6, j = 8;
        using var scope = Torch.NewScope();
        using var gen = new Lah.Torch.Generator(1);
        var fused = Fusion.Mfb(Torch.Ones([b, j]), Torch.Ones([r, j]), 1, dropout: 0.5, training: true, gen).ToFloatArray();
        // Each value is 0 (dropped) or 2 (kept, scaled by 1/(1−p)); rows differ because masks are per (image, label).
        Assert.All(fused, v => Assert.True(v == 0f || v == 2f));
        Assert.Contains(0f, fused);
        Assert.Contains(2f, fused);
        Assert.NotEqual(fused.Take(r * j), fused.Skip(r * j).Take(r * j));
    }

    [Fact]
    public void BinarizeMapsZeroToMinusOne()
    {
        using var scope = Torch.NewScope();
        var codes = HashCodes.Binarize(Torch.FromArray(new[] { -0.5f, 0f, 0.25f, -0f, 3f }, 5)).ToFloatArray();
        Assert.Equal(new[] { -1f, -1f, 1f, -1f, 1f }, codes);
    }

    [Fact]
    public void PerLabelMfbFusesEachLabelWithItsOwnProjections()
    {
        // R = 2, D = C = J = 2, one image x = (1, 2), label embeddings E = [(1, 1), (2, −1)].
        // U_0 = I, U_1 = [[1,1],[0,2]], bu_1 = (1, 0): U_0x = (1, 2), U_1x + bu_1 = (4, 4).
        // V_0 = [[2,0],[0,1]], bv_0 = (0, 1): (2, 2); V_1 = [[1,0],[1,1]]: (2, 1).
        // Products (2, 4) and (8, 4): stride 2 sums them to (6, 12); stride 1 keeps them.
        using var scope = Torch.NewScope();
        using var uProj = new PerLabelLinear(2, 2, 2);
        using var vProj = new PerLabelLinear(2, 2, 2);
        using (Torch.NoGrad())
        {
            uProj.Weight.Copy_(Torch.FromArray(new float[] { 1, 0, 0, 1, 1, 1, 0, 2 }, 2, 2, 2));
            uProj.Bias.Copy_(Torch.FromArray(new float[] { 0, 0, 1, 0 }, 2, 2));
            vProj.Weight.Copy_(Torch.FromArray(new float[] { 2, 0, 0, 1, 1, 0, 1, 1 }, 2, 2, 2));
            vProj.Bias.Copy_(Torch.FromArray(new float[] { 0, 1, 0, 0 }, 2, 2));
        }
        var img = uProj.ForwardShared(Torch.FromArray(new float[] { 1, 2 }, 1, 2));
        var lab = vProj.ForwardPerLabel(Torch.FromArray(new float[] { 1, 1, 2, -1 }, 2, 2));
        Assert.Equal(new float[] { 1, 2, 4, 4 }, img.ToFloatArray());
        Assert.Equal(new float[] { 2, 2, 2, 1 }, lab.ToFloatArray());
        Assert.Equal(new float[] { 6, 12 }, Fusion.MfbPerLabel(img, lab, 2, dropout: 0.5, training: false).ToFloatArray());
        Assert.Equal(new float[] { 2, 4, 8, 4 }, Fusion.MfbPerLabel(img, lab, 1, dropout: 0.5, training: false).ToFloatArray());
        // In training, dropout zeroes or scales each product before pooling (stride 1: 0 or 2×).
        Torch.ManualSeed(2);
        var dropped = Fusion.MfbPerLabel(img, lab, 1, dropout: 0.5, training: true).ToFloatArray();
        Assert.All(dropped.Zip(new float[] { 2, 4, 8, 4 }), p => Assert.True(p.First == 0 || p.First == 2 * p.Second));
    }
}
