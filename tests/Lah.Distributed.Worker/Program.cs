using System.Globalization;
using System.Text.Json;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Hashing.Models;
using Lah.Torch;
using Lah.Torch.Distributed;
using Lah.Torch.Optim;
using Lah.Training;
using Lah.Training.Batches;
using Lah.Training.Inference;
using Lah.Training.Tests;

// One rank of tests/Lah.Training.Tests/DistributedTests.cs. Usage: worker SCENARIO key=value…
// Exit 0 on success; on failure the exception's message goes to stderr and the exit code is 1.
var scenario = args.Length > 0 ? args[0] : "";
var kv = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
int Int(string k) => int.Parse(kv[k], CultureInfo.InvariantCulture);
TimeSpan Timeout() => TimeSpan.FromSeconds(kv.TryGetValue("timeout", out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : 60);

try
{
    switch (scenario)
    {
        case "collectives": Collectives(); break;
        case "train": Train(); break;
        case "losses": Losses(); break;
        case "e2e": EndToEnd(); break;
        case "e2e-cauchy": EndToEndCauchy(); break;
        case "survivor": Survivor(); break;
        case "victim": Victim(); break;
        default: throw new ArgumentException($"unknown scenario '{scenario}'");
    }
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
    return 1;
}

// env:// initialisation (the test sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT); values checked here, on every rank.
void Collectives()
{
    using var pg = ProcessGroup.InitFromEnvironment(Timeout());
    int r = pg.Rank, w = pg.WorldSize;
    using var a = Torch.FromArray(new[] { r + 1f, 10f * (r + 1) }, 2);
    using var b = Torch.FromArray(new double[] { r }, 1);
    pg.AllReduce([a, b]);
    float s = w * (w + 1) / 2f;
    Expect(a.ToArray<float>(), [s, 10 * s], "all-reduce sum (float32)");
    Expect(b.ToArray<double>().Select(v => (float)v).ToArray(), [w * (w - 1) / 2f], "all-reduce sum (float64)");
    using var m = Torch.FromArray(new long[] { r * 7 }, 1);
    pg.AllReduce(m, ReduceOp.Max);
    Expect([m.ToArray<long>()[0]], [(w - 1) * 7f], "all-reduce max");
    int root = w - 1;
    using var c = Torch.FromArray(new[] { (float)r, 100f + r, -r }, 3);
    pg.Broadcast(c, root);
    Expect(c.ToArray<float>(), [root, 100f + root, -root], $"broadcast from rank {root}");
    // All-gather: rank q's 2×3 block holds 100q + its element index; blocks stacked in rank order.
    using var g = pg.AllGather(Torch.FromArray(Enumerable.Range(0, 6).Select(i => 100f * r + i).ToArray(), 2, 3));
    Expect([.. g.Shape.Select(v => (float)v)], [2 * w, 3], "all-gather shape");
    Expect(g.ToArray<float>(), [.. Enumerable.Range(0, w).SelectMany(q => Enumerable.Range(0, 6).Select(i => 100f * q + i))], "all-gather values");
    // Unequal blocks are refused on every rank, naming the shapes, before Gloo sees them.
    try
    {
        pg.AllGather(Torch.Zeros([r + 1, 3]));
        throw new InvalidOperationException("all-gather of unequal row counts: expected a DistributedException");
    }
    catch (DistributedException e) when (e.Message.Contains($"the ranks hold 1 to {w} rows of 3 elements"))
    {
    }
    // The differentiable gather: values of every rank, in rank order; gradient only into this rank's own rows, equal
    // to the rows of the gradient of the whole batch (here, of Σ c·x with c the global row index + 1).
    var dp = new DataParallel(pg);
    using var x = Torch.FromArray(new double[] { r, -r }, 1, 2).RequiresGrad_();
    using var labels = Torch.FromArray(new[] { 10f + r }, 1, 1);
    var all = dp.GatherBatch([x, labels]);
    Expect([.. all[0].Detach().ToFloatArray()], [.. Enumerable.Range(0, w).SelectMany(q => new[] { (float)q, -q })], "gathered rows");
    Expect(all[1].ToFloatArray(), [.. Enumerable.Range(0, w).Select(q => 10f + q)], "gathered labels");
    if (all[1].RequiresGrad) throw new InvalidOperationException("gathered labels require grad");
    var weights = Torch.Arange(1, w + 1, dtype: DType.Float64).Reshape(w, 1);
    (all[0] * weights).Sum().Backward();
    Expect([.. x.Grad!.ToFloatArray()], [r + 1f, r + 1f], "gradient of this rank's rows");
    pg.Barrier();
    Console.WriteLine($"rank {r}/{w}: collectives ok");
}

// The loop in feature mode, data-parallel (world > 1) or one process (world = 1, no group), on a per-sample mean loss;
// rank 0 (or the single process) writes the final parameters and epoch losses to out=FILE.
void Train()
{
    int rank = Int("rank"), world = Int("world"), batch = Int("batch"), epochs = Int("epochs");
    const int n = 48, d = 12, r = 6;
    var rng = new Random(7);
    var f = Enumerable.Range(0, n * d).Select(_ => (float)rng.NextDouble()).ToArray();
    var y = Enumerable.Range(0, n * r).Select(_ => rng.Next(3) == 0 ? 1f : 0f).ToArray();
    var data = new FeatureSet(f, y, n, d, r);
    // Every rank initialises differently on purpose: the broadcast from rank 0 must make them equal.
    using var gen = new Generator(11 + rank);
    using var head = new DchModel(d, r, r, generator: gen);
    using var pg = world > 1 ? ProcessGroup.Init(new DistributedOptions(rank, world, "127.0.0.1", Int("port")) { Timeout = Timeout() }) : null;
    // Mean over samples and bits of (code − (2y − 1))²: decomposes over samples, so W ranks × B equals 1 × W·B.
    var loss = new DelegateLoss("mse", (o, labels) => (o.Codes - (labels * 2 - 1)).Square().Mean(), globalBatch: false);
    var model = new HeadModel(head);
    using var optimizer = new SGD(model.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, name: g.Name)), 0.2, momentum: 0.9, weightDecay: 1e-4);
    var settings = new TrainerSettings
    {
        Epochs = epochs,
        ClipNorm = 0.5,
        Seed = 5,
        Parallel = pg is null ? null : new DataParallel(pg, bucketBytes: Int("bucket")),
    };
    using var trainer = new Trainer(model, loss, new FeatureBatches(data, batch, seed: 5, rank, world), optimizer, null, settings);
    var result = trainer.Fit();
    if (rank == 0)
    {
        var weights = head.Parameters().SelectMany(p => p.Detach().ToFloatArray()).ToArray();
        File.WriteAllText(kv["out"], JsonSerializer.Serialize(new { weights, losses = result.Epochs.Select(e => e.MeanLoss), steps = result.Steps }));
    }
}

// Every loss of the contract in feature mode, one after the other in one process: data-parallel (world > 1, every rank
// running batch=B) or one process (world = 1, batch=W·B). Rank 0 (or the single process) writes, per loss, the initial
// and final head parameters, the epoch losses and the step count to out=FILE. "cauchy-per-slice" is the Cauchy loss
// declared per-row (NeedsGlobalBatch false): each rank then scores only the pairs inside its slice, as before the gather.
void Losses()
{
    int rank = Int("rank"), world = Int("world"), batch = Int("batch");
    const int n = 48, seed = 5;
    var data = SmallHead.Features(n, seed: 3);
    var centers = HashCenters.Generate(SmallHead.R, SmallHead.K, 1);
    using var pg = world > 1 ? ProcessGroup.Init(new DistributedOptions(rank, world, "127.0.0.1", Int("port")) { Timeout = Timeout() }) : null;
    var results = new Dictionary<string, object>();
    foreach (var name in kv["losses"].Split(','))
    {
        IHashLoss loss = name switch
        {
            "cauchy" => new CauchyHashLoss(new HashLossConfig()),
            "cauchy-paper" => new CauchyHashLoss(new HashLossConfig
            {
                Lambda = 0.55,
                Combination = LossCombination.Paper,
                Quantization = QuantizationKind.Cauchy,
                PairWeighting = PairWeighting.Paper,
                Reduction = LossReduction.Sum,
            }),
            "cauchy-per-slice" => new DelegateLoss("cauchy", (o, y) => new CauchyHashLoss(new HashLossConfig()).Compute(o.Codes, y).Total, globalBatch: false),
            "hybrid" => new HybridHashLoss(centers, new HybridLossOptions { Alpha = 0.5, Beta = 2, Lambda = 0.1 }),
            "csq" => new CsqLoss(centers, 0.5),
            "hashnet" => new HashNetLoss(new HashNetOptions { Lambda = 0.1 }),
            "dpsh" => new DpshLoss(),
            "classification" => new MultiLabelSoftMarginLoss(),
            _ => throw new ArgumentException($"unknown loss '{name}'"),
        };
        // Every rank initialises differently on purpose: the broadcast from rank 0 must make them equal.
        using var gen = new Generator(11 + rank);
        using IHashHead head = name switch
        {
            // One fused value per label: ML-GCN's classifier scores.
            "classification" => SmallHead.Build(SmallHead.Config(jointDim: 10, stride: 10), 11 + rank),
            _ when loss.Centers is { } c => new CenterHashHead(new DchModel(SmallHead.D, SmallHead.R, SmallHead.K, generator: gen), c),
            _ => new DchModel(SmallHead.D, SmallHead.R, SmallHead.K, generator: gen),
        };
        var model = new HeadModel(head);
        // What every rank starts from (rank 0's, broadcast by the loop).
        var initial = head.Parameters().SelectMany(p => p.Detach().ToFloatArray()).ToArray();
        using var optimizer = new SGD(model.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, name: g.Name)), 0.05, momentum: 0.9, weightDecay: 1e-4);
        var settings = new TrainerSettings
        {
            Epochs = 2,
            ClipNorm = 5,
            Seed = seed,
            Parallel = pg is null ? null : new DataParallel(pg),
        };
        using var trainer = new Trainer(model, loss, new FeatureBatches(data, batch, seed: seed, rank, world), optimizer, null, settings);
        var result = trainer.Fit();
        var weights = head.Parameters().SelectMany(p => p.Detach().ToFloatArray()).ToArray();
        results[name] = new { initial, weights, losses = result.Epochs.Select(e => e.MeanLoss), steps = result.Steps };
    }
    if (rank == 0) File.WriteAllText(kv["out"], JsonSerializer.Serialize(results));
}

// End to end (small CNN with batch norm + LAH head, no dropout) under the Cauchy loss: 2 ranks with batch=B, or one
// process with batch=2B whose model runs each half of the batch on its own (slices=2: batch norm normalises each rank's
// slice, as data parallelism does) and whose loss scores the whole. Rank 0 writes its final parameters to out=FILE.
void EndToEndCauchy()
{
    int rank = Int("rank"), world = Int("world"), slices = Int("slices");
    var mosaic = new MosaicSetup(count: 160, queries: 32, train: 120);
    using var network = mosaic.Network(seed: 6 + rank, bits: 16, dropout: 0);
    using var pg = world > 1 ? ProcessGroup.Init(new DistributedOptions(rank, world, "127.0.0.1", Int("port")) { Timeout = Timeout() }) : null;
    using var optimizer = new SGD(network.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, name: g.Name)), 0.05, momentum: 0.9, weightDecay: 1e-4);
    var settings = new TrainerSettings
    {
        Epochs = 2,
        MaxStepsPerEpoch = 3,
        Seed = 3,
        ClipNorm = 10,
        Parallel = pg is null ? null : new DataParallel(pg),
    };
    ITrainable model = slices > 1 ? new PerSliceForward(network, slices) : network;
    using var trainer = new Trainer(model, MosaicSetup.Loss(), mosaic.Batches(Int("batch"), seed: 3, rank: rank, worldSize: world), optimizer, null, settings);
    var result = trainer.Fit();
    if (rank == 0)
    {
        var weights = network.Parameters().SelectMany(p => p.Detach().ToFloatArray()).ToArray();
        File.WriteAllText(kv["out"], JsonSerializer.Serialize(new { weights, losses = result.Epochs.Select(e => e.MeanLoss), steps = result.Steps }));
    }
}

// Data-parallel end-to-end training (small CNN with batch norm + LAH head) with a shared checkpoint folder; every rank
// writes its final parameters to out-RANK.json so the test can check that the ranks stayed identical. Selection by a
// (deterministic, rising) validation score, so rank 0 also writes the best epoch's weights.
void EndToEnd()
{
    int rank = Int("rank"), world = Int("world");
    var mosaic = new MosaicSetup(count: 160, queries: 32, train: 120);
    using var network = mosaic.Network(seed: 6 + rank, bits: 16); // different on purpose: rank 0's weights are broadcast
    using var pg = ProcessGroup.Init(new DistributedOptions(rank, world, "127.0.0.1", Int("port")) { Timeout = Timeout() });
    using var optimizer = new SGD(network.OptimizedGroups().Select(g => new ParamGroup(g.Parameters, name: g.Name)), 0.05, momentum: 0.9, weightDecay: 1e-4);
    var settings = new TrainerSettings
    {
        Epochs = 2,
        MaxStepsPerEpoch = 3,
        Seed = 3,
        ClipNorm = 10,
        Selection = EpochSelection.BestValidation,
        CheckpointDir = kv["dir"],
        Parallel = new DataParallel(pg),
    };
    var scorer = new RisingScore();
    using var trainer = new Trainer(network, MosaicSetup.Loss(), mosaic.Batches(8, seed: 3, rank: rank, worldSize: world), optimizer, null, settings, scorer);
    var result = trainer.Fit();
    var weights = network.Parameters().SelectMany(p => p.Detach().ToFloatArray()).ToArray();
    File.WriteAllText($"{kv["out"]}-{rank}.json", JsonSerializer.Serialize(new { weights, losses = result.Epochs.Select(e => e.MeanLoss), steps = result.Steps }));
}

// Joins, then all-reduces until a peer fails: the victim is killed by the test once both printed "ready".
void Survivor()
{
    using var pg = ProcessGroup.Init(new DistributedOptions(Int("rank"), Int("world"), "127.0.0.1", Int("port")) { Timeout = Timeout() });
    pg.Barrier();
    Console.WriteLine("ready");
    using var t = Torch.Ones([4]);
    for (int i = 0; ; i++) pg.AllReduce(t);
}

void Victim()
{
    using var pg = ProcessGroup.Init(new DistributedOptions(Int("rank"), Int("world"), "127.0.0.1", Int("port")) { Timeout = Timeout() });
    pg.Barrier();
    Console.WriteLine("ready");
    Console.Out.Flush();
    Thread.Sleep(System.Threading.Timeout.Infinite); // until the test kills this process
}

static void Expect(float[] got, float[] want, string what)
{
    if (!got.SequenceEqual(want))
        throw new InvalidOperationException($"{what}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
}

/// <summary>
/// A model that runs each of <paramref name="slices"/> equal row blocks of a batch on its own and concatenates the
/// outputs: batch norm then normalises each block, as on data-parallel ranks.
/// </summary>
sealed class PerSliceForward(ITrainable inner, int slices) : ITrainable
{
    public Lah.Torch.NN.Module Module => inner.Module;
    public int LabelCount => inner.LabelCount;

    public HeadOutput Forward(Tensor input)
    {
        long rows = input.Shape[0], per = rows / slices;
        if (per * slices != rows) throw new ArgumentException($"input: {rows} rows do not split into {slices} equal slices");
        var outputs = Enumerable.Range(0, slices).Select(i => inner.Forward(input.Narrow(0, i * per, per))).ToList();
        return new HeadOutput(Torch.Cat(outputs.Select(o => o.Fused).ToList()), Torch.Cat(outputs.Select(o => o.Codes).ToList()));
    }

    public IReadOnlyList<ParameterGroup> OptimizedGroups() => inner.OptimizedGroups();
    public IEnumerable<Tensor> ClippedParameters() => inner.ClippedParameters();
    public void UseGenerator(Generator? generator) => inner.UseGenerator(generator);
    public Generator? Generator => inner.Generator;
}

/// <summary>Scores epoch e as e: every epoch is the best so far.</summary>
sealed class RisingScore : IEpochScorer
{
    public EpochScore Score(int epoch) => new(new Dictionary<string, double>(), epoch);
}
