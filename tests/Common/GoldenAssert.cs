using Xunit.Sdk;

namespace Lah.Tests;

/// <summary>The goldens' tolerance: |actual − expected| ≤ 1e-4 + 1e-3·|expected| for every element.</summary>
public static class GoldenAssert
{
    public static void Close(string name, float[] expected, float[] actual, double atol = 1e-4, double rtol = 1e-3)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{name}: expected {expected.Length} values, got {actual.Length}");
        int bad = 0, first = -1;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.Abs(expected[i])))
            {
                if (first < 0) first = i;
                bad++;
                worst = Math.Max(worst, double.IsNaN(err) ? double.PositiveInfinity : err);
            }
        }
        if (bad > 0)
            throw new XunitException(
                $"{name}: {bad}/{expected.Length} values off; first at {first}: expected {expected[first]}, got {actual[first]}; worst error {worst}");
    }
}
