using System.Diagnostics;
using System.Text.Json;
using Lah.Data;

namespace Lah.Benchmarks;

/// <summary>
/// `bench data [ROUNDS] [JPEG_DIR]`: JPEG decode + resize to 448×448 of the sample photos, single thread (images/s
/// per core) and with one worker per core, side by side with PIL (peers/pil_decode_resize.py under
/// /usr/bin/python3) on the same files, plus how far our 448² pixels are from PIL's.
/// </summary>
public static class DataSuite
{
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
        Console.WriteLine($"data: {files.Length} JPEGs from {dir}, {Environment.ProcessorCount} cores visible, median of {rounds} rounds");
        Console.WriteLine($"sizes: {string.Join(", ", decoded.GroupBy(d => $"{d.Width}x{d.Height}").Select(g => $"{g.Count()}×{g.Key}"))}");

        var slot = new float[3 * 448 * 448];
        var resized = decoded.Select(d => Resize.Apply(d, 448, 448)).ToArray();
        var ours = new (string Phase, double Rate)[]
        {
            ("decode", Rate(rounds, data.Length, () => { for (var i = 0; i < data.Length; i++) JpegDecoder.Decode(data[i], files[i]); })),
            ("resize", Rate(rounds, data.Length, () => { foreach (var d in decoded) Resize.Apply(d, 448, 448); })),
            ("normalize", Rate(rounds, data.Length, () => { foreach (var r in resized) ImageNetNormalize.ToChw(r, slot); })),
            ("decode_resize", Rate(rounds, data.Length, () => { for (var i = 0; i < data.Length; i++) Resize.Apply(JpegDecoder.Decode(data[i], files[i]), 448, 448); })),
            // Into a reused slot, as the loader writes each image into its batch buffer.
            ("decode_resize_normalize", Rate(rounds, data.Length, () =>
            {
                for (var i = 0; i < data.Length; i++) ImageNetNormalize.ToChw(Resize.Apply(JpegDecoder.Decode(data[i], files[i]), 448, 448), slot);
            })),
        };
        var cores = Environment.ProcessorCount;
        var parallel = Rate(rounds, data.Length, () =>
            Parallel.For(0, data.Length, new ParallelOptions { MaxDegreeOfParallelism = cores },
                i => Resize.Apply(JpegDecoder.Decode(data[i], files[i]), 448, 448)));

        // The whole training path: loader workers, multi-scale crop, flip, normalisation into batch buffers.
        var pool = new MultiLabelDataset("samples", ["x"], files.Select(f => new DatasetItem(Path.GetFileName(f), new FileImageSource(f), new MultiLabel([true]))));
        var loader = new DataLoader(pool, null, ImageTransform.OfficialTrain(448), 30, shuffle: true, seed: 1, workers: cores, prefetch: 4);
        var epoch = 0;
        var loaderRate = Rate(rounds, data.Length, () => { foreach (var _ in loader.Epoch(epoch++)) { } });

        var dump = Directory.CreateTempSubdirectory("lah-bench-pil-").FullName;
        Dictionary<string, JsonElement>? pil = null;
        try
        {
            pil = RunPil(rounds, dump, files);
            var (mean, max, share) = CompareWithPil(decoded, files, dump);
            Console.WriteLine($"agreement with PIL at 448²: mean |Δ| {mean:F3}, max |Δ| {max}, bytes within ±1: {share:P2}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"PIL peer unavailable: {e.Message}");
        }
        finally
        {
            Directory.Delete(dump, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"{"phase (1 thread)",-26}{"LAH.NET img/s",14}{"PIL img/s",12}{"ratio",8}");
        foreach (var (phase, rate) in ours)
        {
            var p = pil is not null && pil.TryGetValue(phase, out var v) ? v.GetDouble() : double.NaN;
            Console.WriteLine($"{phase,-26}{rate,14:F1}{(double.IsNaN(p) ? "-" : p.ToString("F1")),12}{(double.IsNaN(p) ? "-" : (rate / p).ToString("F2")),8}");
        }
        Console.WriteLine($"{"decode_resize, " + cores + " thr",-26}{parallel,14:F1}");
        Console.WriteLine($"{"loader train, " + cores + " workers",-26}{loaderRate,14:F1}  (MultiScaleCrop+flip+normalise, files from disk, batch 30)");
        if (pil is not null) Console.WriteLine($"PIL {pil["pil_version"].GetString()} via /usr/bin/python3");
        return 0;
    }

    private static double Rate(int rounds, int images, Action work)
    {
        work(); // warm-up (JIT, TurboJPEG handle)
        var times = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            work();
            times[r] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return images / times[rounds / 2];
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
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} exited {p.ExitCode}: {stderr.Trim()} (needs python3-pil)");
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
