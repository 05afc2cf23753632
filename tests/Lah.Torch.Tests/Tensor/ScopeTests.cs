using Xunit;

namespace Lah.Torch.Tests.Tensors;

// Live-handle counts are process-wide: these tests must not run beside other tensor tests.
[Collection("LiveTensorCount")]
public class ScopeTests
{
    [Fact]
    public void ScopeFreesEverythingExceptWhatIsKept()
    {
        long before = Torch.LiveTensorCount;
        Tensor kept, detached;
        using (var scope = Torch.NewScope())
        {
            var a = Torch.Ones([3]);
            var b = a * 2.0 + 1.0;
            kept = scope.Keep(b.Sum());
            detached = Torch.Zeros([2]).DetachFromScopes();
            Assert.True(scope.Count >= 3);
            Assert.False(a.IsDisposed);
        }
        Assert.Equal(before + 2, Torch.LiveTensorCount);
        Assert.Equal(9f, kept.ItemFloat());
        kept.Dispose();
        detached.Dispose();
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void NestedScopesMoveToTheOuterOne()
    {
        long before = Torch.LiveTensorCount;
        using (var outer = Torch.NewScope())
        {
            Tensor moved;
            using (Torch.NewScope())
            {
                moved = Torch.Ones([2]).MoveToOuterScope();
                _ = Torch.Ones([5]);
            }
            Assert.False(moved.IsDisposed);
            Assert.Equal(before + 1, Torch.LiveTensorCount);
        }
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void DisposingAScopeOutOfOrderIsAnError()
    {
        var outer = Torch.NewScope();
        var inner = Torch.NewScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void TenThousandTrainingStepsInScopesKeepMemoryFlat()
    {
        Torch.ManualSeed(3);
        using var w = Torch.Randn([64, 32]).Mul_(0.1).RequiresGrad_().DetachFromScopes();
        using var x = Torch.Randn([16, 64]).DetachFromScopes();
        using var y = Torch.Randn([16, 32]).DetachFromScopes();
        long liveBefore = Torch.LiveTensorCount;

        void Step()
        {
            using var scope = Torch.NewScope();
            var loss = (x.MatMul(w).Tanh() - y).Square().Mean();
            loss.Backward();
            using (Torch.NoGrad())
            {
                var g = w.Grad!;
                w.Sub_(g, 0.01);
            }
            w.ZeroGrad();
        }

        for (int i = 0; i < 500; i++) Step(); // warm-up: allocator pools and JIT settle
        long rssAfterWarmup = ResidentBytes();
        for (int i = 0; i < 10_000; i++) Step();
        long growth = ResidentBytes() - rssAfterWarmup;

        Assert.Equal(liveBefore, Torch.LiveTensorCount);
        // Each step allocates ~20 tensors (~10 KB); a leak of even one handle per step would add far more than 16 MiB.
        Assert.True(growth < 16L << 20, $"resident memory grew by {growth >> 20} MiB over 10,000 steps");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("VmRSS not found in /proc/self/status");
    }
}

[CollectionDefinition("LiveTensorCount", DisableParallelization = true)]
public class LiveTensorCountCollection;
