using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Lah.Retrieval;
using Lah.Retrieval.Kernels;

namespace Lah.Benchmarks.Retrieval;

/// <summary>
/// `bench scale [SIZES…] [q=QUERIES] [reps=R] [faiss-mih=SIZES] [out=DIR]`: how search cost grows with the
/// collection. For each size (default 1M 10M 100M 64-bit codes) the codes are written once as shard files in our index
/// format under artifacts/scale/data (reused by later runs) and searched mapped: flat k-NN-100 over the shards
/// (<see cref="ShardedIndex"/>) and exact radius 2 through one multi-index over all shards
/// (<see cref="ShardedMultiIndexHashing"/>), on one core and on all; build time at both; resident memory; then FAISS
/// on the same codes (IndexBinaryFlat k-NN-100 at every size, IndexBinaryMultiHash range search at the
/// <c>faiss-mih</c> sizes), whose results must equal ours on the sampled queries, else the run fails.
/// <para>
/// Codes are clustered: N/100 random centres, each code a centre with 0–4 random bits flipped; queries are fresh draws
/// from the same distribution (seeded). Uniform 64-bit codes would leave every radius-2 ball empty and measure only
/// the bucket lookups. Each size runs in a child process, so its resident memory is its own; the table and the
/// SVG go to DIR (default artifacts/scale).
/// </para>
/// </summary>
public static class ScaleSuite
{
    private const int Bits = 64, K = 100, Radius = 2, CodesPerCentre = 100, MaxFlips = 4, FaissSample = 2_000;
    private const long ShardCodes = 12_500_000;

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "one") return One(args[1..]);
        var sizes = new List<long>();
        var options = new Dictionary<string, string>
        {
            ["q"] = "100000",
            ["reps"] = "3",
            ["faiss-mih"] = "1M,10M,100M",
            ["out"] = Path.Combine(RepoRoot, "artifacts", "scale"),
        };
        foreach (var a in args)
        {
            var eq = a.IndexOf('=');
            if (eq > 0) options[a[..eq]] = a[(eq + 1)..];
            else sizes.Add(ParseSize(a));
        }
        if (sizes.Count == 0) sizes.AddRange([1_000_000, 10_000_000, 100_000_000]);
        var faissMih = options["faiss-mih"].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseSize).ToHashSet();
        var outDir = Path.GetFullPath(options["out"]);
        Directory.CreateDirectory(outDir);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
        Console.WriteLine($"scale: sizes {string.Join(", ", sizes.Select(Size))}; {options["q"]} radius queries; best of {options["reps"]}; " +
                          $"kernel {Hamming.Best}; {Environment.ProcessorCount} cores; load average at start {load}");
        var rows = new List<Dictionary<string, string>>();
        var clock = Stopwatch.StartNew();
        var failed = false;
        // The shard files first, here: the children's resident memory is then the index's alone.
        foreach (var n in sizes) Data(n);
        foreach (var n in sizes)
        {
            var (code, result) = Child(n, options["q"], options["reps"], faissMih.Contains(n));
            rows.Add(result);
            if (code != 0)
            {
                Console.WriteLine($"size {Size(n)}: failed (exit code {code})");
                failed = true;
            }
        }
        var loadEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
        var table = Table(sizes, rows, load, loadEnd, clock.Elapsed.TotalSeconds);
        Console.WriteLine();
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(outDir, "scale.md"), table);
        Chart(Path.Combine(outDir, "scale.svg"), sizes, rows);
        Console.WriteLine($"written: {Path.Combine(outDir, "scale.md")}, {Path.Combine(outDir, "scale.svg")}");
        return failed ? 1 : 0;
    }

    private static string RepoRoot => Path.GetFullPath(Path.Combine(Peers.Dir, "..", "..", ".."));

    private static long ParseSize(string s)
    {
        var mult = char.ToUpperInvariant(s[^1]) switch { 'K' => 1_000L, 'M' => 1_000_000L, 'B' or 'G' => 1_000_000_000L, _ => 1L };
        var digits = mult == 1 ? s : s[..^1];
        return (long)(double.Parse(digits, CultureInfo.InvariantCulture) * mult);
    }

    private static string Size(long n) => n % 1_000_000_000 == 0 ? $"{n / 1_000_000_000}B"
        : n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : n % 1_000 == 0 ? $"{n / 1_000}k" : n.ToString(CultureInfo.InvariantCulture);

    // One size in a fresh process: `result KEY VALUE` lines are collected, the rest is echoed.
    private static (int, Dictionary<string, string>) Child(long n, string q, string reps, bool faissMih)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        var entry = typeof(ScaleSuite).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(entry);
        foreach (var a in new[] { "scale", "one", n.ToString(CultureInfo.InvariantCulture), q, reps, faissMih ? "1" : "0" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child benchmark");
        var result = new Dictionary<string, string>();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null)
        {
            var f = line.Split(' ', 3);
            if (f.Length == 3 && f[0] == "result") result[f[1]] = f[2];
            else Console.WriteLine(line);
        }
        p.WaitForExit();
        return (p.ExitCode, result);
    }

    private static void Emit(string key, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result {key} {value:R}"));

    // ---- one size, in the child process ----

    private static int One(string[] args)
    {
        long n = long.Parse(args[0], CultureInfo.InvariantCulture);
        int nq = int.Parse(args[1], CultureInfo.InvariantCulture), reps = int.Parse(args[2], CultureInfo.InvariantCulture);
        bool faissMih = args[3] == "1";
        int all = Environment.ProcessorCount;
        // Flat k-NN reads every code per query: about 1e9 code distances per run, and at least two blocks of 16 queries
        // so that every core has one.
        int nFlat = (int)Math.Clamp(1_000_000_000 / n, 32, 1000);
        Console.WriteLine();
        Console.WriteLine($"== {Size(n)} codes of {Bits} bits ==");
        var paths = Data(n);
        var work = Directory.CreateTempSubdirectory("lah-bench-scale-").FullName;
        try
        {
            var sw = Stopwatch.StartNew();
            foreach (var p in paths) MappedIndex.Open(p, verifyChecksum: true).Dispose();
            Emit("verify_s", sw.Elapsed.TotalSeconds);
            var rng = new Random((int)(n % int.MaxValue) + 1);
            var centres = Centres(n);
            var mq = Draw(rng, centres, nq);
            var fq = Draw(rng, centres, nFlat);
            Emit("flat_queries", nFlat);
            Emit("radius_queries", nq);

            // In methods of their own: their locals (the index above all) are dead once they return, even in
            // unoptimised code, so the tables are gone before the one-core build and the FAISS peer.
            if (Ours(paths, fq, mq, reps) is not { } ours) return 1;
            var (knn, balls) = ours;
            GC.Collect(2, GCCollectionMode.Aggressive, true, true);
            if (all > 1) Emit("build_s_1", BuildSeconds(paths, 1));
            GC.Collect(2, GCCollectionMode.Aggressive, true, true);
            Rss(out _, out _, out var hwm);
            Emit("rss_peak_mb", hwm / 1e6);
            return Faiss(paths, work, n, fq, mq, knn, balls, reps, faissMih);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Neighbor[][] Knn, Neighbor[][] Balls)? Ours(string[] paths, PackedCodes fq, PackedCodes mq, int reps)
    {
        int all = Environment.ProcessorCount, nFlat = fq.Count, nq = mq.Count;
        var sw = new Stopwatch();
        // Built on all cores and its resident memory measured right away; the one-core build is timed after this
        // index is gone, so the two never share the process's memory.
        Rss(out var baseAnon, out _, out _);
        sw.Restart();
        using var mih = ShardedMultiIndexHashing.Open(paths, verifyChecksum: false, threads: all);
        Emit($"build_s_{all}", sw.Elapsed.TotalSeconds);
        GC.Collect(2, GCCollectionMode.Aggressive, true, true);
        Rss(out var anon, out var file, out _);
        Emit("rss_anon_mb", anon / 1e6);
        Emit("rss_file_mb", file / 1e6);
        Emit("rss_base_mb", baseAnon / 1e6);
        Console.WriteLine($"{mih.Shards} shards, {mih.Tables} tables of {string.Join("/", mih.SubstringBits)} bits, tables hold {mih.TableBytes / 1e6:F0} MB");
        Emit("tables", mih.Tables);
        Emit("shards", mih.Shards);
        Emit("table_mb", mih.TableBytes / 1e6);

        // Our radius results on the flat queries against the flat scan of the shards: the multi-index must find
        // the same balls (cheap here: a few dozen flat scans).
        var mihFlat = mih.RadiusSearch(fq, Radius, all);
        using (var flatShards = ShardedIndex.Open(paths, verifyChecksum: false))
        {
            var flatR = flatShards.RadiusSearch(fq, Radius, all);
            for (int i = 0; i < nFlat; i++)
                if (!mihFlat[i].SequenceEqual(flatR[i]))
                {
                    Console.WriteLine($"query {i}: multi-index radius {Radius} differs from the flat scan");
                    return null;
                }
        }

        var knn = new Neighbor[0][];
        Neighbor[][] balls = [];
        foreach (var threads in new[] { 1, all }.Distinct())
        {
            var (s, _) = Best(reps, () => { knn = mih.Search(fq, K, threads); return 0; });
            Emit($"knn_qps_{threads}", nFlat / s);
            (s, _) = Best(reps, () => { balls = mih.RadiusSearch(mq, Radius, threads); return 0; });
            Emit($"mih_qps_{threads}", nq / s);
        }
        // One query at a time on one core: the latency a lone query sees.
        int single = Math.Min(nq, 20_000);
        var (ls, _) = Best(reps, () =>
        {
            long c = 0;
            for (int i = 0; i < single; i++) c += mih.RadiusSearch(mq.Code(i), Radius).Length;
            return c;
        });
        Emit("mih_single_us", ls / single * 1e6);
        Emit("ball_mean", balls.Average(b => (double)b.Length));
        Emit("ball_empty", balls.Count(b => b.Length == 0) / (double)nq);
        Console.WriteLine($"mean radius-{Radius} ball {balls.Average(b => (double)b.Length):F1} codes, {balls.Count(b => b.Length == 0)} of {nq:N0} empty");
        return (knn, balls);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double BuildSeconds(string[] paths, int threads)
    {
        var sw = Stopwatch.StartNew();
        using var index = ShardedMultiIndexHashing.Open(paths, verifyChecksum: false, threads: threads);
        return sw.Elapsed.TotalSeconds;
    }

    private static (double Seconds, long Checksum) Best(int reps, Func<long> run) => RetrievalSuite.Best(reps, run);

    private static void Rss(out long anon, out long file, out long peak)
    {
        anon = file = peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || f[0] is not ("RssAnon:" or "RssFile:" or "VmHWM:")) continue;
            var bytes = long.Parse(f[1], CultureInfo.InvariantCulture) * 1024;
            if (f[0] == "RssAnon:") anon = bytes;
            else if (f[0] == "RssFile:") file = bytes;
            else if (f[0] == "VmHWM:") peak = bytes;
        }
    }

    // ---- data: clustered codes written once as shard files ----

    private static ulong[] Centres(long n)
    {
        var rng = new Random(1234);
        var centres = new ulong[Math.Max(1, n / CodesPerCentre)];
        rng.NextBytes(MemoryMarshal.AsBytes(centres.AsSpan()));
        return centres;
    }

    private static ulong Near(Random rng, ulong[] centres)
    {
        var code = centres[rng.Next(centres.Length)];
        for (int f = rng.Next(MaxFlips + 1); f > 0; f--) code ^= 1UL << rng.Next(Bits);
        return code;
    }

    private static PackedCodes Draw(Random rng, ulong[] centres, int count)
    {
        var words = new ulong[count];
        for (int i = 0; i < count; i++) words[i] = Near(rng, centres);
        return PackedCodes.FromWords(words, count, Bits);
    }

    // Shard files of at most 12.5M codes (at least 4 shards), ids = positions; written in parallel, each shard from
    // its own seed, so the same size always gives the same files. Reused when present and whole.
    private static string[] Data(long n)
    {
        var dir = Path.Combine(RepoRoot, "artifacts", "scale", "data", Size(n));
        int shards = (int)Math.Max(4, (n + ShardCodes - 1) / ShardCodes);
        var paths = Enumerable.Range(0, shards).Select(s => Path.Combine(dir, $"codes.{s}.lahidx")).ToArray();
        long From(int s) => n * s / shards;
        if (paths.Select((p, s) => File.Exists(p) && new FileInfo(p).Length == IndexFile.FileLength(Bits, From(s + 1) - From(s))).All(x => x))
            return paths;
        Directory.CreateDirectory(dir);
        var centres = Centres(n);
        var sw = Stopwatch.StartNew();
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, s =>
        {
            var rng = new Random(7919 * s + (int)(n % 1_000_003));
            int count = (int)(From(s + 1) - From(s));
            var words = new ulong[count];
            var ids = new long[count];
            for (int i = 0; i < count; i++)
            {
                words[i] = Near(rng, centres);
                ids[i] = From(s) + i;
            }
            IndexFile.Write(paths[s], PackedCodes.FromWords(words, count, Bits, ids));
        });
        Console.WriteLine($"generated {Size(n)} clustered codes in {shards} shard files under {dir} ({sw.Elapsed.TotalSeconds:F1} s)");
        return paths;
    }

    // ---- FAISS, on the same shard files ----

    private static int Faiss(string[] paths, string work, long n, PackedCodes fq, PackedCodes mq, Neighbor[][] knn,
        Neighbor[][] balls, int reps, bool mih)
    {
        File.WriteAllBytes(Path.Combine(work, "fq.bin"), MemoryMarshal.AsBytes(fq.Words.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(work, "mq.bin"), MemoryMarshal.AsBytes(mq.Words.AsSpan()).ToArray());
        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(Peers.Dir, "faiss_scale.py"));
        foreach (var a in new[] { work, reps.ToString(CultureInfo.InvariantCulture), mih ? "1" : "0", FaissSample.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        foreach (var p in paths) psi.ArgumentList.Add(p);
        using var proc = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var seen = new HashSet<string>();
        string? line;
        while ((line = proc.StandardOutput.ReadLine()) is not null)
        {
            var f = line.Split(' ');
            if (f.Length == 3 && f[0] == "faiss")
            {
                Console.WriteLine($"result faiss_{f[1]} {f[2]}");
                seen.Add(f[1]);
            }
            else Console.WriteLine(line);
        }
        proc.WaitForExit();
        if (proc.ExitCode != 0 || !seen.Contains("knn_qps_1") || (mih && !seen.Contains("mih_qps_1")))
        {
            Console.WriteLine($"FAISS peer failed (exit code {proc.ExitCode}): the benchmark fails");
            return 1;
        }

        // k-NN: the same distances in the same order (ties may be other ids: FAISS orders them its own way).
        var d = MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(Path.Combine(work, "knn_d.i32")));
        for (int q = 0; q < fq.Count; q++)
            for (int j = 0; j < K; j++)
                if (d[q * K + j] != knn[q][j].Distance)
                {
                    Console.WriteLine($"k-NN query {q}, rank {j}: FAISS distance {d[q * K + j]}, ours {knn[q][j].Distance}");
                    return 1;
                }
        Console.WriteLine($"FAISS k-NN-{K}: same distances as ours on all {fq.Count} queries");
        if (!mih) return 0;

        // Radius 2: the same sets of positions on the sampled queries.
        var lims = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(Path.Combine(work, "mih_lims.i64")));
        var labels = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(Path.Combine(work, "mih_labels.i64")));
        int sample = lims.Length - 1;
        long hits = 0;
        for (int q = 0; q < sample; q++)
        {
            var theirs = labels[(int)lims[q]..(int)lims[q + 1]].ToArray();
            Array.Sort(theirs);
            var ours = balls[q].Select(h => (long)h.Index).Order().ToArray();
            hits += ours.Length;
            if (!theirs.AsSpan().SequenceEqual(ours))
            {
                Console.WriteLine($"radius-{Radius} query {q}: FAISS finds {theirs.Length} codes, ours {ours.Length}, not the same set");
                return 1;
            }
        }
        Console.WriteLine($"FAISS multi-hash radius {Radius}: same result sets as ours on {sample:N0} sampled queries ({hits:N0} hits)");
        return 0;
    }

    // ---- report ----

    private static double Get(Dictionary<string, string> r, string key) =>
        r.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : double.NaN;

    private static string Num(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);

    private static string Table(List<long> sizes, List<Dictionary<string, string>> rows, string load, string loadEnd, double seconds)
    {
        int all = Environment.ProcessorCount;
        var sb = new StringBuilder();
        sb.AppendLine($"| codes | shards | radius-2 ball (mean) | MIH r≤2 q/s, 1 core | MIH r≤2 q/s, {all} cores | MIH µs/query, 1 core, one at a time | FAISS MIH q/s, 1 / {all} | flat kNN-100 q/s, 1 / {all} | FAISS flat kNN-100 q/s, 1 / {all} | MIH build s, 1 / {all} | FAISS MIH build s | tables MB | RSS after build: anon (runtime before build) / file-mapped MB | FAISS RSS MB |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < sizes.Count; i++)
        {
            var r = rows[i];
            sb.AppendLine($"| {Size(sizes[i])} | {Num(Get(r, "shards"), "F0")} | {Num(Get(r, "ball_mean"), "F1")} " +
                          $"| {Num(Get(r, "mih_qps_1"), "N0")} | {Num(Get(r, $"mih_qps_{all}"), "N0")} | {Num(Get(r, "mih_single_us"), "F2")} " +
                          $"| {Num(Get(r, "faiss_mih_qps_1"), "N0")} / {Num(Get(r, $"faiss_mih_qps_{all}"), "N0")} " +
                          $"| {Num(Get(r, "knn_qps_1"), "N1")} / {Num(Get(r, $"knn_qps_{all}"), "N1")} " +
                          $"| {Num(Get(r, "faiss_knn_qps_1"), "N1")} / {Num(Get(r, $"faiss_knn_qps_{all}"), "N1")} " +
                          $"| {Num(Get(r, "build_s_1"), "F1")} / {Num(Get(r, $"build_s_{all}"), "F1")} | {Num(Get(r, "faiss_mih_build_s"), "F1")} | {Num(Get(r, "table_mb"), "N0")} " +
                          $"| {Num(Get(r, "rss_anon_mb"), "N0")} ({Num(Get(r, "rss_base_mb"), "N0")}) / {Num(Get(r, "rss_file_mb"), "N0")} | {Num(Get(r, "faiss_rss_mb"), "N0")} |");
        }
        if (sizes.Count > 1)
        {
            var a = rows[0];
            var b = rows[^1];
            sb.AppendLine();
            sb.AppendLine($"{Size(sizes[0])} → {Size(sizes[^1])} ({sizes[^1] / (double)sizes[0]:F0}× the codes): MIH radius-2 time per query × " +
                          $"{Num(Get(a, "mih_qps_1") / Get(b, "mih_qps_1"), "F2")} (batched, 1 core), × {Num(Get(b, "mih_single_us") / Get(a, "mih_single_us"), "F2")} " +
                          $"(one at a time); flat k-NN × {Num(Get(a, "knn_qps_1") / Get(b, "knn_qps_1"), "F1")}.");
        }
        sb.AppendLine();
        sb.AppendLine($"Load average (1/5/15 min, running/total, last pid) at start: {load}; at end: {loadEnd}; {seconds:F0} s in all.");
        return sb.ToString();
    }

    private static void Chart(string path, List<long> sizes, List<Dictionary<string, string>> rows)
    {
        using var plot = new ScottPlot.Plot();
        var xs = sizes.Select(n => Math.Log10(n)).ToArray();
        void Series(string label, Func<Dictionary<string, string>, double> microseconds)
        {
            var points = xs.Zip(rows.Select(microseconds)).Where(p => !double.IsNaN(p.Second) && p.Second > 0).ToArray();
            if (points.Length == 0) return;
            var s = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => Math.Log10(p.Second)).ToArray());
            s.LegendText = label;
        }
        Series("ours: flat kNN-100, 1 core", r => 1e6 / Get(r, "knn_qps_1"));
        Series("FAISS IndexBinaryFlat kNN-100, 1 core", r => 1e6 / Get(r, "faiss_knn_qps_1"));
        Series("ours: MIH radius 2, 1 core", r => 1e6 / Get(r, "mih_qps_1"));
        Series("FAISS IndexBinaryMultiHash radius 2, 1 core", r => 1e6 / Get(r, "faiss_mih_qps_1"));
        Series("ours: MIH radius 2, one query at a time", r => Get(r, "mih_single_us"));
        var x = new ScottPlot.TickGenerators.NumericManual();
        foreach (var n in sizes) x.AddMajor(Math.Log10(n), Size(n) + " codes");
        plot.Axes.Bottom.TickGenerator = x;
        var y = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (v, label) in new[] { (-1, "0.1 µs"), (0, "1 µs"), (1, "10 µs"), (2, "100 µs"), (3, "1 ms"), (4, "10 ms"), (5, "100 ms"), (6, "1 s") })
            y.AddMajor(v, label);
        plot.Axes.Left.TickGenerator = y;
        plot.Title("Search time per query against collection size (64-bit codes, log–log)");
        plot.XLabel("codes in the collection");
        plot.YLabel("time per query");
        plot.ShowLegend(ScottPlot.Edge.Bottom); // below the axes: the lines span the whole plot
        File.WriteAllText(path, plot.GetSvgXml(760, 520));
    }
}
