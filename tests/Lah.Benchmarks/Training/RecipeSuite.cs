using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lah.Data;
using Lah.Hashing.Config;
using Lah.Hashing.Losses;
using Lah.Torch;
using Lah.Training;
using Lah.Training.Caching;
using Lah.Training.Features;
using Lah.Training.Optimization;
using Lah.Training.Pretraining;

namespace Lah.Benchmarks.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// `bench recipe [DATASET …] [key=value …]`: runs <see cref="QuickRecipe"/> (the quick profile of Table 1) and prints,
/// per dataset, the pre-trained backbone's test classification mAP, then for each bit length the MAP@H≤2 (DCH
/// protocol) of LAH, DCH, LSH and collapsed codes, the first and last epoch loss and wall times. Keys override the
/// recipe to explore: size, train, query, widths (32,64,128), bits (16,32,64), pre.epochs, pre.lr, pre.opt, head.epochs,
/// head.lr, head.opt, head.sched, head.batch, gamma, lambda (both), lambda.long, long.bits, j, gcn, radius.{min,max}, noise, jitter, occ.{min,max,size},
/// decoy.{min,max}, clutter.{min,max}, lines.{min,max}, curve (test MAP every epoch). Data: $LAH_DATA_DIR/lah; caches under
/// $TMPDIR/lah-recipe (weights keyed by the recipe's hash).
/// </summary>
public static class RecipeSuite
{
    public static int Run(string[] args)
    {
        var datasets = args.Where(a => !a.Contains('=')).ToList();
        if (datasets.Count == 0) datasets = [.. QuickRecipe.Datasets];
        var kv = args.Where(a => a.Contains('=')).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var dataDir = Path.Combine(Environment.GetEnvironmentVariable("LAH_DATA_DIR") ?? "../shared/data", "lah");
        var cacheDir = Path.Combine(Path.GetTempPath(), "lah-recipe");
        Console.WriteLine($"recipe: libtorch {Torch.Version}, {Torch.GetNumThreads()} thread(s), data {dataDir}, overrides: {string.Join(" ", args.Where(a => a.Contains('=')))}");
        var total = Stopwatch.StartNew();
        foreach (var name in datasets) RunDataset(Apply(QuickRecipe.For(name), kv), kv.ContainsKey("curve"), dataDir, cacheDir);
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static QuickRecipe Apply(QuickRecipe r, Dictionary<string, string> kv)
    {
        int I(string k, int v) => kv.TryGetValue(k, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : v;
        double D(string k, double v) => kv.TryGetValue(k, out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : v;
        int[] L(string k, IReadOnlyList<int> v) => kv.TryGetValue(k, out var s) ? s.Split(',').Select(int.Parse).ToArray() : [.. v];
        T E<T>(string k, T v) where T : struct, Enum => kv.TryGetValue(k, out var s) ? Enum.Parse<T>(s, true) : v;
        var d = r.Difficulty;
        return r with
        {
            ImageSize = I("size", r.ImageSize),
            TrainCount = I("train", r.TrainCount),
            QueryCount = I("query", r.QueryCount),
            BackboneWidths = L("widths", r.BackboneWidths),
            Bits = L("bits", r.Bits),
            GcnHidden = I("gcn", r.GcnHidden),
            ClassifierDim = I("gcn", r.ClassifierDim),
            JointDim = I("j", r.JointDim),
            Loss = r.Loss with { Gamma = D("gamma", r.Loss.Gamma) },
            Lambda = D("lambda", r.Lambda),
            LongCodeLambda = D("lambda.long", D("lambda", r.LongCodeLambda)),
            LongCodeBits = I("long.bits", r.LongCodeBits),
            Pretraining = r.Pretraining with
            {
                Epochs = I("pre.epochs", r.Pretraining.Epochs),
                LearningRate = D("pre.lr", r.Pretraining.LearningRate),
                Optimizer = E("pre.opt", r.Pretraining.Optimizer),
                BatchSize = I("pre.batch", r.Pretraining.BatchSize),
            },
            Head = r.Head with
            {
                Epochs = I("head.epochs", r.Head.Epochs),
                LearningRate = D("head.lr", r.Head.LearningRate),
                Optimizer = E("head.opt", r.Head.Optimizer),
                Schedule = E("head.sched", r.Head.Schedule),
                BatchSize = I("head.batch", r.Head.BatchSize),
                Momentum = D("head.momentum", r.Head.Momentum),
            },
            Difficulty = d with
            {
                GlyphMinRadius = D("radius.min", d.GlyphMinRadius),
                GlyphMaxRadius = D("radius.max", d.GlyphMaxRadius),
                Noise = I("noise", d.Noise),
                ColourJitter = I("jitter", d.ColourJitter),
                MinOccluders = I("occ.min", d.MinOccluders),
                MaxOccluders = I("occ.max", d.MaxOccluders),
                OccluderMaxSize = D("occ.size", d.OccluderMaxSize),
                MinDecoys = I("decoy.min", d.MinDecoys),
                MaxDecoys = I("decoy.max", d.MaxDecoys),
                MinLines = I("lines.min", d.MinLines),
                MaxLines = I("lines.max", d.MaxLines),
                MinClutter = I("clutter.min", d.MinClutter),
                MaxClutter = I("clutter.max", d.MaxClutter),
            },
        };
    }

    private static void RunDataset(QuickRecipe recipe, bool curve, string dataDir, string cacheDir)
    {
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        double CpuSeconds() => (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var scenes = recipe.BuildScenes(dataDir);
        var split = recipe.Split();
        int r = scenes.LabelNames.Count;
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipe.Describe())))[..16];
        using var backboneGenerator = new Generator(recipe.Pretraining.Seed);
        using var backbone = recipe.CreateBackbone(r, backboneGenerator);
        var pre = ClassificationPretrainer.Run(backbone, scenes, split.Train, split.Query, recipe.TrainTransform(), recipe.EvalTransform(),
            recipe.Pretraining, Path.Combine(cacheDir, $"pretrain-{recipe.Dataset}-{key}.safetensors"), recipe.Describe());
        double preSeconds = clock.Elapsed.TotalSeconds, preCpu = CpuSeconds();
        var cache = new FeatureCache(Path.Combine(cacheDir, "features"));
        var db = cache.GetOrCompute(backbone, "smallcnn", scenes, split.Train, recipe.EvalTransform(), dataTag: recipe.Describe()).Features;
        var query = cache.GetOrCompute(backbone, "smallcnn", scenes, split.Query, recipe.EvalTransform(), dataTag: recipe.Describe()).Features;
        double featSeconds = clock.Elapsed.TotalSeconds - preSeconds;
        double relevant = HashBaselines.EvaluateCollapsed(query, db, 16).Precision;
        Console.WriteLine($"{recipe.Dataset}: {recipe.TrainCount}+{recipe.QueryCount} scenes at {recipe.ImageSize}px, R={r}, " +
            $"cls mAP {pre.HeldOutMap:F1} ({(pre.Loaded ? "loaded" : $"{pre.Epochs.Count} epochs, loss {pre.Epochs[0].MeanLoss:F3}→{pre.Epochs[^1].MeanLoss:F3}")}), " +
            $"pretrain {preSeconds:F0} s (CPU {preCpu:F0} s), features {featSeconds:F1} s, relevant pairs {relevant:F3}");
        Console.WriteLine($"  {"bits",4} {"LAH",6} {"DCH",6} {"LSH",6} {"coll.",6}   LAH loss        DCH loss        LAH s  DCH s");
        foreach (var bits in recipe.Bits)
        {
            var res = new Dictionary<bool, (double Map, double First, double Last, double Seconds, double Cpu, string Curve)>();
            foreach (var dch in new[] { false, true })
            {
                var t = Stopwatch.StartNew();
                double c0 = CpuSeconds();
                using var headGenerator = new Generator(recipe.Head.Seed);
                var config = recipe.HeadConfig(r, db.FeatureDim, bits, dch);
                using var head = recipe.CreateHead(config, dataDir, scenes, split, headGenerator);
                var options = curve ? recipe.Head with { OnEpoch = e => FeatureEncoder.EvaluateDch(e.Head, query, db).Map } : recipe.Head;
                using var trainer = new FeatureTrainer(head, new CauchyHashLoss(config.Loss), options);
                var h = trainer.Train(db);
                double map = FeatureEncoder.EvaluateDch(head, query, db).Map;
                res[dch] = (map, h.EpochLosses[0], h.EpochLosses[^1], t.Elapsed.TotalSeconds, CpuSeconds() - c0,
                    curve ? string.Join(" ", h.EpochMetrics.Select(m => $"{m:F3}")) : "");
            }
            double lsh = HashBaselines.EvaluateLsh(query, db, bits, 7).Map;
            double coll = HashBaselines.EvaluateCollapsed(query, db, bits).Map;
            Console.WriteLine($"  {bits,4} {res[false].Map,6:F3} {res[true].Map,6:F3} {lsh,6:F3} {coll,6:F3}   " +
                $"{res[false].First,6:F3}→{res[false].Last,6:F3}  {res[true].First,6:F3}→{res[true].Last,6:F3}  {res[false].Seconds,5:F1}  {res[true].Seconds,5:F1}  (CPU {res[false].Cpu:F1}, {res[true].Cpu:F1})");
            if (curve) Console.WriteLine($"       LAH test MAP by epoch: {res[false].Curve}\n       DCH test MAP by epoch: {res[true].Curve}");
        }
        Console.WriteLine($"  {recipe.Dataset} total {clock.Elapsed.TotalSeconds:F0} s (CPU {CpuSeconds():F0} s)");
    }
}
