using Xunit;

namespace Lah.Torch.Tests;

/// <summary>
/// Finite-difference gradient checks in float64: the analytic gradient from <see cref="Tensor.Backward"/> against central
/// differences of the scalar function, element by element, for every input.
/// </summary>
public static class GradCheck
{
    /// <summary>Uniform values whose magnitude stays in [0.3, 1.3] with random sign: away from kinks at 0.</summary>
    public static double[] AwayFromZero(Random rng, long n) =>
        Enumerable.Range(0, (int)n).Select(_ => (0.3 + rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1)).ToArray();

    public static double[] Positive(Random rng, long n) =>
        Enumerable.Range(0, (int)n).Select(_ => 0.3 + rng.NextDouble()).ToArray();

    /// <param name="f">builds a scalar (or any tensor, summed with fixed random weights) from the inputs</param>
    /// <param name="beforeEach">runs before every evaluation, e.g. reseeds the generator random ops (dropout) draw from,
    /// so each evaluation draws the same mask</param>
    public static void Check(Func<Tensor[], Tensor> f, IReadOnlyList<(double[] Values, long[] Shape)> inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4, Action? beforeEach = null)
    {
        using var scope = Torch.NewScope();
        double[]? weights = null;

        double Eval(int which, double[] values)
        {
            using var inner = Torch.NewScope();
            using var _ = Torch.NoGrad();
            var ts = inputs.Select((inp, i) => Torch.FromArray(i == which ? values : inp.Values, inp.Shape)).ToArray();
            beforeEach?.Invoke();
            return Weighted(f(ts)).ItemDouble();
        }

        Tensor Weighted(Tensor y)
        {
            // A fixed random weighting turns a tensor output into a scalar that still depends on every element.
            if (y.NumEl == 1) return y.Sum();
            weights ??= new Random(1234).Let(r => Enumerable.Range(0, (int)y.NumEl).Select(_ => r.NextDouble() - 0.5).ToArray());
            using var w = Torch.FromArray(weights, y.Shape).To(y.DType);
            return (y * w).Sum();
        }

        var leaves = inputs.Select(inp => Torch.FromArray(inp.Values, inp.Shape).RequiresGrad_()).ToArray();
        beforeEach?.Invoke();
        var outp = Weighted(f(leaves));
        outp.Backward();

        for (int i = 0; i < inputs.Count; i++)
        {
            var grad = leaves[i].Grad?.ToDoubleArray() ?? new double[inputs[i].Values.Length];
            for (int j = 0; j < inputs[i].Values.Length; j++)
            {
                var plus = (double[])inputs[i].Values.Clone();
                var minus = (double[])inputs[i].Values.Clone();
                plus[j] += eps;
                minus[j] -= eps;
                double numeric = (Eval(i, plus) - Eval(i, minus)) / (2 * eps);
                double diff = Math.Abs(grad[j] - numeric);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {i} element {j}: analytic {grad[j]:G10} vs numeric {numeric:G10}");
            }
        }
    }

    private static TOut Let<TIn, TOut>(this TIn x, Func<TIn, TOut> f) => f(x);
}
