using Lah.Torch.NN;
using Xunit;

namespace Lah.Torch.Tests.Tensors;

/// <summary>Explicit generators: streams that depend only on their seed, whatever else the process draws.</summary>
public class GeneratorTests
{
    [Fact]
    public void TwoUsersWithTheSameSeedDrawIdenticalStreamsWhileAThirdDrawsFromTheGlobalGenerator()
    {
        using var scope = Torch.NewScope();
        using var first = new Generator(2024);
        using var second = new Generator(2024);
        var a = new List<float[]>();
        var b = new List<float[]>();
        var global = new List<float[]>();
        // One thread, a fixed interleaving: first, third party, second, reseeding the global generator in between.
        for (int round = 0; round < 3; round++)
        {
            a.Add(Torch.Randn([64], first).ToFloatArray());
            global.Add(Torch.Randn([64]).ToFloatArray());
            b.Add(Torch.Randn([64], second).ToFloatArray());
            Torch.ManualSeed(round);
            a.Add(Torch.RandPerm(32, first).ToLongArray().Select(v => (float)v).ToArray());
            global.Add(Torch.Rand([100]).ToFloatArray());
            b.Add(Torch.RandPerm(32, second).ToLongArray().Select(v => (float)v).ToArray());
            a.Add(Torch.Empty([64]).Uniform_(-1, 1, first).ToFloatArray());
            a.Add(Torch.Bernoulli(Torch.Full([64], 0.3), first).ToFloatArray());
            global.Add(Torch.Empty([64]).Normal_(0, 1).ToFloatArray());
            b.Add(Torch.Empty([64]).Uniform_(-1, 1, second).ToFloatArray());
            b.Add(Torch.Bernoulli(Torch.Full([64], 0.3), second).ToFloatArray());
        }
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i]);
        // Not trivially equal: successive draws differ, and another seed gives another stream.
        Assert.NotEqual(a[0], a[4]);
        using var other = new Generator(2025);
        Assert.NotEqual(a[0], Torch.Randn([64], other).ToFloatArray());
        Assert.NotEqual(a[0], global[0]);
    }

    [Fact]
    public void DropoutWithTheSameGeneratorSeedDrawsTheSameMask()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Ones([8, 50]);
        float[] Mask(long seed)
        {
            using var gen = new Generator(seed);
            return F.Dropout(x, 0.5, training: true, gen).ToFloatArray();
        }
        var m = Mask(7);
        Assert.Equal(m, Mask(7));
        Assert.NotEqual(m, Mask(8));
        // Inverted dropout: dropped → 0, kept → 1/(1 − p); both occur.
        Assert.All(m, v => Assert.True(v == 0f || v == 2f));
        Assert.Contains(0f, m);
        Assert.Contains(2f, m);
        using var gen = new Generator(7);
        Assert.Equal(x.ToFloatArray(), F.Dropout(x, 0.5, training: false, gen).ToFloatArray());
        Assert.Equal(new float[400], F.Dropout(x, 1, training: true, gen).ToFloatArray());
    }

    [Fact]
    public void DropoutModuleDrawsFromItsGeneratorAndUseGeneratorReachesEveryDescendant()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Ones([4, 30]);
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var net = new Sequential(new Linear(30, 30, generator: g1), new Dropout(0.4, g1));
        using var twin = new Sequential(new Linear(30, 30, generator: g2), new Dropout(0.4));
        Assert.Equal(net.Parameters().SelectMany(p => p.ToFloatArray()), twin.Parameters().SelectMany(p => p.ToFloatArray()));
        twin.UseGenerator(g2);
        Assert.All(twin.NamedModules(), m => Assert.Same(g2, m.Module.Generator));
        Assert.Equal(net.Forward(x).ToFloatArray(), twin.Forward(x).ToFloatArray());
        Assert.Equal(net.Forward(x).ToFloatArray(), twin.Forward(x).ToFloatArray());
        twin.UseGenerator(null);
        Assert.Null(twin[1].Generator);
    }

    [Fact]
    public void StateRoundTripsAndSeedIsReported()
    {
        using var scope = Torch.NewScope();
        using var gen = new Generator(-5);
        Assert.Equal(-5, gen.Seed);
        Assert.Equal(Device.CPU, gen.Device);
        Torch.Randn([10], gen);
        var state = gen.GetState();
        var next = Torch.Randn([10], gen).ToFloatArray();
        using var copy = new Generator(0);
        copy.SetState(state);
        Assert.Equal(next, Torch.Randn([10], copy).ToFloatArray());
        Assert.Equal(12, gen.ManualSeed(12).Seed);
        Assert.Throws<LahNativeException>(() => gen.SetState(Torch.Zeros([3])));
    }

    [Fact]
    public void ADisposedGeneratorIsRefused()
    {
        var gen = new Generator(1);
        gen.Dispose();
        Assert.True(gen.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => Torch.Randn([2], gen));
        gen.Dispose(); // twice is fine
    }
}

/// <summary>
/// The process-global generator: run alone (no parallel class draws in between), the one place its seeding is tested.
/// </summary>
[Collection(nameof(GlobalGenerator))]
public class GlobalGeneratorTests
{
    [Fact]
    public void AGeneratorReplaysTheGlobalStreamOfTheSameSeedForDrawsAndDropout()
    {
        using var scope = Torch.NewScope();
        using var data = new Generator(5);
        var x = Torch.Randn([6, 40], data);
        Torch.ManualSeed(31);
        var globalDraws = Torch.Randn([20]).ToFloatArray();
        var globalMask = F.Dropout(x, 0.3, training: true).ToFloatArray();
        var state = Torch.GetRngState();
        var globalNext = Torch.Rand([5]).ToFloatArray();
        Torch.SetRngState(state);
        Assert.Equal(globalNext, Torch.Rand([5]).ToFloatArray());

        using var gen = new Generator(31);
        Assert.Equal(globalDraws, Torch.Randn([20], gen).ToFloatArray());
        Assert.Equal(globalMask, F.Dropout(x, 0.3, training: true, gen).ToFloatArray());
        Assert.Contains(0f, globalMask);
        Assert.Contains(globalMask, v => v != 0);
    }
}

[CollectionDefinition(nameof(GlobalGenerator), DisableParallelization = true)]
public sealed class GlobalGenerator;
