using System.Diagnostics;
using System.Text.Json;
using Lah.Data;

namespace Lah.Benchmarks;

/// <summary>
/// `bench data [ROUNDS] [JPEG_DIR]`: JPEG decode + resize to 448×448 (+ ImageNet normalisation) of the sample photos,
/// phase by phase on one thread, side by side with PIL (peers/pil_decode_resize.py under /usr/bin/python3) on the same
/// files, plus how far our 448² pixels are from PIL's. Then the loader: the same decode + resize + normalise pipeline
/// from the files on one thread, through <see cref="DataLoader"/> with 0, 1 and 2 workers (batches handed back with
/// <see cref="DataLoader.Return"/>, and without), and PIL's pipeline. Fails when
/// the peer fails or when 2 workers reach less than <see cref="RequiredSpeedup"/>× one thread.
/// </summary>
public static class DataSuite
{
    /// <summary>Two workers on two cores must feed at least this multiple of one thread's rate (issue #18).</summary>
    public const double RequiredSpeedup = 1.7;

    private const int BatchSize = 30;

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0]) : 7;
        var dir = args.Length > 1 ? args[1] : DataPaths.RequireData("jpeg-samples"); // $LAH_DATA_DIR, else ../shared/data
        var files = Directory.GetFiles(dir, "*.jpg").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"no JPEG files in {dir}");
            return 1;
        }
        var data = files.Select(File.ReadAllBytes).ToArray();
        var decoded = data.Select((b, i) => JpegDecoder.Decode(b, files[i])).ToArray();
        Console.WriteLine($"data: {files.Length} JPEGs from {dir}, {Environment.ProcessorCount} cores visible, median of {rounds} rounds, " +
                          $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load average {LoadAverage()}");
        Console.WriteLine($"sizes: {string.Join(", ", decoded.GroupBy(d => $"{d.Width}x{d.Height}").Select(g => $"{g.Count()}×{g.Key}"))}");

        var slot = new float[3 * 448 * 448];
        var resized = decoded.Select(d => Resize.Apply(d, 448, 448)).ToArray();
        var ours = new (string Phase, double Rate)[]
        {
            ("decode", Measure(rounds, data.Length, () => { for (var i = 0; i < data.Length; i++) JpegDecoder.Decode(data[i], files[i]); }).Rate),
            ("resize", Measure(rounds, data.Length, () => { foreach (var d in decoded) Resize.Apply(d, 448, 448); }).Rate),
            ("normalize", Measure(rounds, data.Length, () => { foreach (var r in resized) ImageNetNormalize.ToChw(r, slot); }).Rate),
            ("decode_resize", Measure(rounds, data.Length, () => { for (var i = 0; i < data.Length; i++) Resize.Apply(JpegDecoder.Decode(data[i], files[i]), 448, 448); }).Rate),
            // Into a reused slot, as the loader writes each image into its batch buffer.
            ("decode_resize_normalize", Measure(rounds, data.Length, () =>
            {
                for (var i = 0; i < data.Length; i++) ImageNetNormalize.ToChw(Resize.Apply(JpegDecoder.Decode(data[i], files[i]), 448, 448), slot);
            }).Rate),
        };

        // The loader on one pipeline (files from disk → full decode → resize to 448² → normalise, as PIL does), so the
        // rows differ only in who runs it: one thread into a reused slot, or DataLoader's batches with 1 or 2 workers.
        var pool = new MultiLabelDataset("samples", ["x"],
            files.Select(f => new DatasetItem(Path.GetFileName(f), new FileImageSource(f), new MultiLabel([true]))));
        var warp = ImageTransform.Warp(448, scaledDecode: false);
        var loaderRows = new List<(string Name, Measured M)>
        {
            ("one thread", Measure(rounds, files.Length, () =>
            {
                for (var i = 0; i < pool.Count; i++) warp.Apply(pool[i].Image, Rng.For(1, 0, (ulong)i), slot);
            })),
        };
        // The consumer hands each batch back (DataLoader.Return), as a trainer does once the images are in a tensor;
        // the last rows show what fresh batch buffers cost.
        foreach (var (workers, recycle) in new[] { (0, true), (1, true), (2, true), (1, false), (2, false) })
        {
            var loader = new DataLoader(pool, null, warp, BatchSize, shuffle: true, seed: 1, workers: workers, prefetch: 4);
            var epoch = 0;
            loaderRows.Add(($"loader, {workers} worker{(workers == 1 ? "" : "s")}{(recycle ? "" : ", no Return")}",
                Measure(rounds, files.Length, () =>
                {
                    foreach (var b in loader.Epoch(epoch++))
                        if (recycle) loader.Return(b);
                })));
        }
        // The training route: multi-scale crop + flip (crop sizes vary per item, so rates are noisier).
        var train = ImageTransform.OfficialTrain(448);
        loaderRows.Add(("train, one thread", Measure(rounds, files.Length, () =>
        {
            for (var i = 0; i < pool.Count; i++) train.Apply(pool[i].Image, Rng.For(1, 0, (ulong)i), slot);
        })));
        {
            var loader = new DataLoader(pool, null, train, BatchSize, shuffle: true, seed: 1, workers: 2, prefetch: 4);
            var epoch = 0;
            loaderRows.Add(("train, loader 2 workers", Measure(rounds, files.Length, () =>
            {
                foreach (var b in loader.Epoch(epoch++)) loader.Return(b);
            })));
        }

        var dump = Directory.CreateTempSubdirectory("lah-bench-pil-").FullName;
        Dictionary<string, JsonElement>? pil = null;
        string? peerError = null;
        try
        {
            pil = RunPil(rounds, dump, files);
            var (mean, max, share) = CompareWithPil(decoded, files, dump);
            Console.WriteLine($"agreement with PIL at 448²: mean |Δ| {mean:F3}, max |Δ| {max}, bytes within ±1: {share:P2}");
        }
        catch (Exception e)
        {
            peerError = e.Message;
            Console.WriteLine($"PIL peer failed: {e.Message}");
        }
        finally
        {
            Directory.Delete(dump, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"{"phase (1 thread)",-26}{"LAH.NET img/s",14}{"PIL img/s",12}{"ratio",8}");
        foreach (var (phase, rate) in ours)
        {
            var p = PilRate(pil, phase);
            Console.WriteLine($"{phase,-26}{rate,14:F1}{(double.IsNaN(p) ? "-" : p.ToString("F1")),12}{(double.IsNaN(p) ? "-" : (rate / p).ToString("F2")),8}");
        }

        Console.WriteLine();
        Console.WriteLine($"pipeline: file → decode → resize 448² → normalise into CHW floats; loader batches of {BatchSize}, prefetch 4, each handed back");
        // CPU ms per image shows the cost of the work itself even when other jobs leave us less than the 2 cores.
        Console.WriteLine($"{"",-30}{"img/s",9}{"× 1 thr",9}{"cpu/wall",10}{"cpu ms/img",12}{"sys %",7}{"gc pause %",12}{"GCs 0/1/2",14}{"MB/img",8}");
        var single = loaderRows[0].M.Rate;
        foreach (var (name, m) in loaderRows)
        {
            var baseline = name.StartsWith("train") ? loaderRows.First(r => r.Name == "train, one thread").M.Rate : single;
            Console.WriteLine($"{name,-30}{m.Rate,9:F1}{m.Rate / baseline,9:F2}{m.CpuPerWall,10:F2}{1000 * m.CpuPerImage,12:F2}{100 * m.SysShare,7:F1}{100 * m.GcPauseShare,12:F1}" +
                              $"{$"{m.Gen0}/{m.Gen1}/{m.Gen2}",14}{m.AllocatedPerImage / 1e6,8:F1}");
        }
        var pilPipeline = PilRate(pil, "pipeline");
        Console.WriteLine($"{"PIL + NumPy, one thread",-30}{(double.IsNaN(pilPipeline) ? "-" : pilPipeline.ToString("F1")),9}");
        if (pil is not null)
            Console.WriteLine($"PIL {pil["pil_version"].GetString()}, NumPy {pil["numpy_version"].GetString()} via /usr/bin/python3");

        var speedup = loaderRows.First(r => r.Name == "loader, 2 workers").M.Rate / single;
        var failed = false;
        if (peerError is not null)
        {
            Console.Error.WriteLine($"FAIL: the PIL peer failed ({peerError})");
            failed = true;
        }
        if (speedup < RequiredSpeedup)
        {
            Console.Error.WriteLine($"FAIL: 2 workers feed {speedup:F2}× one thread, below the required {RequiredSpeedup}× (load average {LoadAverage()})");
            failed = true;
        }
        else Console.WriteLine($"2 workers: {speedup:F2}× one thread (required ≥ {RequiredSpeedup}×)");
        return failed ? 1 : 0;
    }

    private static double PilRate(Dictionary<string, JsonElement>? pil, string key) =>
        pil is not null && pil.TryGetValue(key, out var v) ? v.GetDouble() : double.NaN;

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// The median rate of <paramref name="rounds"/> runs after a warm-up, with what the process did meanwhile: CPU
    /// time per wall second (2.0 = both cores busy), the kernel's share of it, GC pauses and allocations.
    /// </summary>
    private readonly record struct Measured(double Rate, double CpuPerWall, double CpuPerImage, double SysShare, double GcPauseShare, int Gen0,
        int Gen1, int Gen2, double AllocatedPerImage);

    private static Measured Measure(int rounds, int images, Action work)
    {
        work(); // warm-up (JIT, TurboJPEG handle)
        using var self = Process.GetCurrentProcess();
        var (cpu0, sys0) = (self.TotalProcessorTime, self.PrivilegedProcessorTime);
        var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pause0 = GC.GetTotalPauseDuration();
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        var times = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            work();
            times[r] = sw.Elapsed.TotalSeconds;
        }
        var elapsed = wall.Elapsed.TotalSeconds;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        Array.Sort(times);
        return new Measured(images / times[rounds / 2], cpu / elapsed, cpu / ((long)rounds * images), cpu > 0 ? (self.PrivilegedProcessorTime - sys0).TotalSeconds / cpu : 0,
            (GC.GetTotalPauseDuration() - pause0).TotalSeconds / elapsed,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2,
            (double)(GC.GetTotalAllocatedBytes(precise: true) - alloc0) / ((long)rounds * images));
    }

    private static Dictionary<string, JsonElement> RunPil(int rounds, string dump, string[] files)
    {
        var script = Path.Combine(DataPaths.RepositoryRoot ?? throw new InvalidOperationException("repository not found"), "tests", "Lah.Benchmarks", "peers", "pil_decode_resize.py");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, rounds.ToString(), dump }.Concat(files)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} exited {p.ExitCode}: {stderr.Trim()} (needs python3-pil and python3-numpy)");
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stdout.Trim().Split('\n')[^1])!;
    }

    private static (double Mean, int Max, double Within1) CompareWithPil(RgbImage[] decoded, string[] files, string dump)
    {
        long sum = 0, n = 0, within = 0;
        var max = 0;
        for (var i = 0; i < files.Length; i++)
        {
            var theirs = File.ReadAllBytes(Path.Combine(dump, Path.GetFileName(files[i]) + ".rgb"));
            var mine = Resize.Apply(decoded[i], 448, 448).Pixels;
            for (var k = 0; k < mine.Length; k++)
            {
                var d = Math.Abs(mine[k] - theirs[k]);
                sum += d;
                max = Math.Max(max, d);
                if (d <= 1) within++;
                n++;
            }
        }
        return ((double)sum / n, max, (double)within / n);
    }
}
