using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Xunit;

namespace Lah.Hashing.Tests.Losses;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// Every loss through <see cref="IHashLoss"/>, the only view the training loop has: the same total as its own
/// Compute, parts that add up to it, its epoch hook and centers.
/// </summary>
public class HashLossContractTests
{
    private const int B = 4, K = 4, R = 3;

    private static readonly double[] U = [0.5, 0.25, -0.5, -0.75, 0.25, -0.5, 0.75, -0.25, -0.5, 0.5, 0.25, 0.5, 0.1, -0.9, 0.3, 0.6];
    private static readonly double[] Y = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1];
    private static readonly double[] Scores = [0.3, -1.2, 2.0, 0.1, 0.4, -0.7, -1.5, 0.9, 1.1, 0.2, -0.3, 0.8];
    private static readonly float[] C = [1, 1, -1, -1, 1, -1, 1, -1, 1, -1, -1, 1];

    private static HashCenterSet Centers => new(C, R, K, 0, "test", 2, 2);
    private static Tensor Codes() => Torch.FromArray(U, B, K);
    private static Tensor Labels() => Torch.FromArray(Y, B, R);
    private static HeadOutput Output() => new(Torch.FromArray(Scores, B, R), Codes());

    public static IEnumerable<object[]> Names() =>
        new[] { "cauchy", "cauchy-paper", "classification", "hybrid", "csq", "hashnet", "dpsh" }.Select(n => new object[] { n });

    /// <summary>The loss as the loop sees it, and its total from its own Compute.</summary>
    private static (IHashLoss Loss, Func<double> Direct) Make(string which)
    {
        switch (which)
        {
            case "cauchy":
                var cauchy = new CauchyHashLoss(new HashLossConfig());
                return (cauchy, () => cauchy.Compute(Codes(), Labels()).Total.ItemDouble());
            case "cauchy-paper":
                var paper = new CauchyHashLoss(new HashLossConfig
                {
                    Lambda = 0.55,
                    Combination = LossCombination.Paper,
                    Quantization = QuantizationKind.Cauchy,
                    PairWeighting = PairWeighting.Paper,
                    Reduction = LossReduction.Sum,
                });
                return (paper, () => paper.Compute(Codes(), Labels()).Total.ItemDouble());
            case "classification":
                var cls = new MultiLabelSoftMarginLoss();
                return (cls, () => cls.Compute(Torch.FromArray(Scores, B, R), Labels()).ItemDouble());
            case "hybrid":
                var hybrid = new HybridHashLoss(Centers, new HybridLossOptions { Alpha = 0.5, Beta = 2, Lambda = 0.1 });
                return (hybrid, () => hybrid.Compute(Codes(), Labels()).Total.ItemDouble());
            case "csq":
                var csq = new CsqLoss(Centers, 0.5);
                return (csq, () => csq.Compute(Codes(), Labels()).Total.ItemDouble());
            case "hashnet":
                var hashNet = new HashNetLoss(new HashNetOptions { Lambda = 0.3 });
                return (hashNet, () => hashNet.Compute(Codes(), Labels()).Total.ItemDouble());
            case "dpsh":
                var dpsh = new DpshLoss(0.1);
                return (dpsh, () => dpsh.Compute(Codes(), Labels()).Total.ItemDouble());
            default: throw new ArgumentException(which);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_contract_gives_the_direct_total_and_parts_that_add_up_to_it(string which)
    {
        using var scope = Torch.NewScope();
        var (loss, direct) = Make(which);
        var value = loss.Compute(Output(), Labels());
        double total = value.Total.ItemDouble();
        Assert.True(double.IsFinite(total) && total > 0);
        Assert.Equal(direct(), total, 1e-12);
        if (value.Parts.Count > 0) Assert.Equal(total, value.Parts.Sum(p => p.Value.ItemDouble()), 1e-9);
    }

    [Fact]
    public void Names_parts_batch_minimums_and_centers_are_each_losss_own()
    {
        using var scope = Torch.NewScope();
        var expected = new Dictionary<string, (string Name, string[] Parts, int MinBatch, bool Centers)>
        {
            ["cauchy"] = ("cauchy", ["cauchy", "quantization"], 2, false),
            ["classification"] = ("classification", [], 1, false),
            ["hybrid"] = ("hybrid", ["global", "local", "partial", "quantization"], 2, true),
            ["csq"] = ("csq", ["center", "quantization"], 1, true),
            ["hashnet"] = ("hashnet", ["pairwise", "quantization"], 2, false),
            ["dpsh"] = ("dpsh", ["likelihood", "quantization"], 2, false),
        };
        foreach (var (which, e) in expected)
        {
            var loss = Make(which).Loss;
            Assert.Equal(e.Name, loss.Name);
            Assert.Equal(e.Parts, loss.Compute(Output(), Labels()).Parts.Select(p => p.Name));
            Assert.Equal(e.MinBatch, loss.MinBatch);
            Assert.Equal(e.Centers, loss.Centers is not null);
            if (loss.Centers is { } c) Assert.Equal(C, c.ToFloatArray());
        }
        var d = new DelegateLoss("probe", (o, y) => o.Codes.Sum());
        Assert.Equal(("probe", 2, true), (d.Name, ((IHashLoss)d).MinBatch, ((IHashLoss)d).NeedsGlobalBatch));
        Assert.False(new DelegateLoss("per-row", (o, y) => o.Codes.Mean(), globalBatch: false).NeedsGlobalBatch);
        Assert.Null(((IHashLoss)d).Centers);
        Assert.Equal(U.Sum(), d.Compute(Output(), Labels()).Total.ItemDouble(), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_loss_needs_the_global_batch_exactly_when_its_halves_do_not_average_to_it(string which)
    {
        // What data-parallel ranks rely on: a loss that declares no need of the global batch is scored per slice and
        // averaged over ranks, so its value on a batch must be the mean of its values on equal halves.
        using var scope = Torch.NewScope();
        var (loss, _) = Make(which);
        var (output, labels) = (Output(), Labels());
        double whole = loss.Compute(output, labels).Total.ItemDouble();
        double Half(int h) => loss.Compute(new HeadOutput(output.Fused.Narrow(0, 2 * h, 2), output.Codes.Narrow(0, 2 * h, 2)),
            labels.Narrow(0, 2 * h, 2)).Total.ItemDouble();
        double halves = (Half(0) + Half(1)) / 2;
        Assert.Equal(which is "cauchy" or "cauchy-paper" or "hybrid" or "hashnet" or "dpsh", loss.NeedsGlobalBatch);
        if (loss.NeedsGlobalBatch) Assert.True(Math.Abs(whole - halves) > 1e-3, $"{which}: {whole} vs halves {halves}");
        else Assert.Equal(whole, halves, 1e-12);
    }

    [Fact]
    public void BeginEpoch_sets_hashnets_beta_for_that_epoch()
    {
        using var scope = Torch.NewScope();
        var options = new HashNetOptions { InitialBeta = 0.5, Gamma = 3, Power = 0.5 };
        var hashNet = new HashNetLoss(options);
        IHashLoss loss = hashNet;
        Assert.Equal(0.5, hashNet.Beta); // before any epoch: β₀
        // β_e = β₀(1 + γe)^p: 0.5·√1, 0.5·√4, 0.5·√7, 0.5·√10 — epoch e's β (the trainer's old SetEpoch(e) after epoch e − 1).
        foreach (var (epoch, beta) in new[] { (0, 0.5), (1, 1.0), (2, 0.5 * Math.Sqrt(7)), (3, 0.5 * Math.Sqrt(10)), (1, 1.0) })
        {
            loss.BeginEpoch(epoch);
            Assert.Equal(beta, hashNet.Beta, 1e-12);
            // The loss follows β: equal to a fresh loss started at that β.
            var fresh = new HashNetLoss(options with { InitialBeta = beta });
            Assert.Equal(fresh.Compute(Codes(), Labels()).Total.ItemDouble(), loss.Compute(Output(), Labels()).Total.ItemDouble(), 12);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.BeginEpoch(-1));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BeginEpoch_changes_nothing_but_hashnet(string which)
    {
        using var scope = Torch.NewScope();
        var (loss, _) = Make(which);
        double before = loss.Compute(Output(), Labels()).Total.ItemDouble();
        loss.BeginEpoch(5);
        double after = loss.Compute(Output(), Labels()).Total.ItemDouble();
        if (which == "hashnet") Assert.NotEqual(before, after);
        else Assert.Equal(before, after);
    }

    [Fact]
    public void The_classification_loss_refuses_a_fused_width_other_than_the_label_count()
    {
        using var scope = Torch.NewScope();
        var wide = new HeadOutput(Torch.Zeros([B, 2 * R]), Codes());
        var e = Assert.Throws<ArgumentException>(() => new MultiLabelSoftMarginLoss().Compute(wide, Labels()));
        Assert.Contains("one fused value per label (3)", e.Message);
        Assert.Contains("[4,6]", e.Message);
        Assert.Contains("PoolingStride = JointDim", e.Message);
    }

    [Fact]
    public void The_hybrid_loss_draws_its_centers_from_its_seed()
    {
        using var scope = Torch.NewScope();
        var seeded = new HybridHashLoss(20, 48, new HybridLossOptions { CentersSeed = 7 });
        Assert.Equal(HashCenters.Generate(20, 48, 7).Codes, seeded.CenterSet.Codes);
        Assert.Equal(seeded.CenterSet.Codes, seeded.Centers.ToFloatArray());
        Assert.Equal(HashCenters.Generate(20, 48, 0).Codes, new HybridHashLoss(20, 48).CenterSet.Codes); // default seed 0
    }

    [Fact]
    public void HashNet_options_name_a_bad_field()
    {
        Assert.Contains("HashNetOptions.Scale", Assert.Throws<ArgumentException>(() => new HashNetLoss(new HashNetOptions { Scale = 0 })).Message);
        Assert.Contains("HashNetOptions.Power", Assert.Throws<ArgumentException>(() => new HashNetOptions { Power = double.NaN }.Validate()).Message);
        var d = new HashNetOptions();
        Assert.Equal((1.0, 1.0, 0.5, 10.0, 0.0), (d.InitialBeta, d.Gamma, d.Power, d.Scale, d.Lambda));
    }
}
