using Lah.Hashing.Losses;
using Lah.Tests;
using Lah.Torch;
using Xunit;

namespace Lah.Hashing.Tests.Models;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>Every <c>lah_*</c> golden: fused features, codes, the three losses and every parameter gradient.</summary>
public class LahGoldenTests
{
    public static IEnumerable<object[]> Cases() => TestPaths.GoldenCases("lah_");

    [Theory]
    [MemberData(nameof(Cases))]
    public void HeadReproducesTheOfficialForwardLossAndGradients(string file)
    {
        using var g = new GoldenCase(file);
        using var scope = Torch.NewScope();
        g.Model.Train();
        var output = g.Model.ForwardHead(g.Input("input.features"));
        GoldenAssert.Close("expected.fused", g.File.ReadFloat32("expected.fused"), output.Fused.ToFloatArray());
        GoldenAssert.Close("expected.codes", g.File.ReadFloat32("expected.codes"), output.Codes.ToFloatArray());

        var loss = new CauchyHashLoss(g.Loss).Compute(output.Codes, g.Input("input.labels"));
        GoldenAssert.Close("expected.loss", g.File.ReadFloat32("expected.loss"), [loss.Total.ItemFloat()]);
        GoldenAssert.Close("expected.loss_cauchy", g.File.ReadFloat32("expected.loss_cauchy"), [loss.Cauchy.ItemFloat()]);
        GoldenAssert.Close("expected.loss_quant", g.File.ReadFloat32("expected.loss_quant"), [loss.Quantization.ItemFloat()]);

        loss.Total.Backward();
        var grads = g.File.Tensors.Where(t => t.Name.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(grads);
        var parameters = g.Parameters();
        foreach (var t in grads)
        {
            var p = parameters[t.Name["grad.".Length..]];
            using var grad = p.Grad;
            var actual = grad?.ToFloatArray() ?? new float[p.NumEl];
            GoldenAssert.Close(t.Name, g.File.ReadFloat32(t.Name), actual);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeIsTheSignOfTheCodesWithZeroAsMinusOne(string file)
    {
        using var g = new GoldenCase(file);
        using var scope = Torch.NewScope();
        var codes = g.Model.Encode(g.Input("input.features")).ToFloatArray();
        var expected = g.File.ReadFloat32("expected.codes");
        Assert.Equal(expected.Select(u => u > 0 ? 1f : -1f), codes);
    }
}
