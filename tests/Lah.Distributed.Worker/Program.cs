using System.Globalization;
using System.Text.Json;
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
        case "e2e": EndToEnd(); break;
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
    var loss = new DelegateLoss("mse", (o, labels) => (o.Codes - (labels * 2 - 1)).Square().Mean());
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

/// <summary>Scores epoch e as e: every epoch is the best so far.</summary>
sealed class RisingScore : IEpochScorer
{
    public EpochScore Score(int epoch) => new(new Dictionary<string, double>(), epoch);
}
