using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lah.Data;
using Lah.Experiments;

namespace Lah.Benchmarks.Experiments;

/// <summary>
/// `bench tsne [N …] [peer=MAX]`: wall and CPU time of one exact t-SNE (<see cref="Tsne.embed"/>, default options:
/// perplexity 30, 1,000 iterations, learning rate 200, exaggeration 12 for 250) of N clustered 48-bit codes (20
/// centres, 15 % of the bits flipped), N = 500, 1,000 and 2,000 by default, after a warm-up embedding. Then
/// scikit-learn's exact TSNE with the same settings on the same codes (peers/tsne_exact.py, Debian python3-sklearn),
/// for the sizes up to MAX (default: all; 0: none). CPU time beside wall time, since other work may share the cores.
/// </summary>
public static class TsneSuite
{
    private const int Bits = 48;

    public static int Run(string[] args)
    {
        var sizes = args.Where(a => !a.Contains('=')).Select(int.Parse).ToArray();
        if (sizes.Length == 0) sizes = [500, 1000, 2000];
        var peerMax = args.FirstOrDefault(a => a.StartsWith("peer=", StringComparison.Ordinal)) is { } p
            ? int.Parse(p["peer=".Length..], CultureInfo.InvariantCulture)
            : sizes.Max();
        var options = Tsne.defaults;
        Console.WriteLine($"tsne: exact t-SNE of {Bits}-bit codes, perplexity {options.Perplexity}, {options.Iterations} iterations, "
            + $"learning rate {options.LearningRate}, exaggeration {options.EarlyExaggeration} for {options.ExaggerationIterations}; "
            + $"{Environment.ProcessorCount} cores");
        Tsne.embed(new Tsne.Options(options.Perplexity, 300, options.LearningRate, options.EarlyExaggeration, options.ExaggerationIterations, options.Seed), 300, Bits, Codes(300)); // warm-up (JIT)

        var dir = Directory.CreateTempSubdirectory("lah-bench-tsne-").FullName;
        try
        {
            var ours = new Dictionary<int, (double Wall, double Cpu, double Kl)>();
            foreach (var n in sizes)
            {
                var codes = Codes(n);
                using (var f = File.Create(Path.Combine(dir, $"codes{n}.f32")))
                    foreach (var v in codes) f.Write(BitConverter.GetBytes(v));
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var r = Tsne.embed(options, n, Bits, codes);
                var wall = clock.Elapsed.TotalSeconds;
                process.Refresh();
                ours[n] = (wall, (process.TotalProcessorTime - cpu0).TotalSeconds, r.KlDivergence);
                Console.WriteLine($"  LAH.NET N = {n,5}: {wall,7:F2} s wall, {ours[n].Cpu,7:F2} s CPU, KL {r.KlDivergence:F4}");
            }

            var peerSizes = sizes.Where(n => n <= peerMax).ToArray();
            var theirs = new Dictionary<int, JsonElement>();
            if (peerSizes.Length > 0)
            {
                var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
                psi.ArgumentList.Add(Path.Combine(Peers.Dir, "tsne_exact.py"));
                foreach (var a in new[] { dir, Bits.ToString(CultureInfo.InvariantCulture), Inv(options.Perplexity),
                             options.Iterations.ToString(CultureInfo.InvariantCulture), Inv(options.LearningRate), Inv(options.EarlyExaggeration) }
                             .Concat(peerSizes.Select(n => n.ToString(CultureInfo.InvariantCulture))))
                    psi.ArgumentList.Add(a);
                using var peer = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
                var stderr = peer.StandardError.ReadToEndAsync();
                string? line;
                while ((line = peer.StandardOutput.ReadLine()) is not null)
                {
                    var e = JsonDocument.Parse(line).RootElement;
                    theirs[e.GetProperty("n").GetInt32()] = e;
                    Console.WriteLine($"  scikit-learn {e.GetProperty("version").GetString()} N = {e.GetProperty("n").GetInt32(),5}: "
                        + $"{e.GetProperty("wall").GetDouble(),7:F2} s wall, {e.GetProperty("cpu").GetDouble(),7:F2} s CPU, KL {e.GetProperty("kl").GetDouble():F4}");
                }
                peer.WaitForExit();
                if (peer.ExitCode != 0)
                {
                    Console.Error.WriteLine($"tsne_exact.py exited {peer.ExitCode}: {stderr.Result.Trim()} (needs python3-sklearn)");
                    return peer.ExitCode;
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"N",6}{"ours wall s",13}{"ours CPU s",12}{"ours KL",9}{"sklearn wall s",16}{"sklearn CPU s",15}{"sklearn KL",12}");
            foreach (var n in sizes)
            {
                var (wall, cpu, kl) = ours[n];
                var t = theirs.TryGetValue(n, out var e)
                    ? $"{e.GetProperty("wall").GetDouble(),16:F2}{e.GetProperty("cpu").GetDouble(),15:F2}{e.GetProperty("kl").GetDouble(),12:F4}"
                    : $"{"-",16}{"-",15}{"-",12}";
                Console.WriteLine($"{n,6}{wall,13:F2}{cpu,12:F2}{kl,9:F4}{t}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>N codes as ±1 around 20 random centres, each bit flipped with probability 0.15 (row-major N × 48).</summary>
    private static float[] Codes(int n)
    {
        var rng = Rng.For(1, 0x75B);
        var centres = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, Bits).Select(_ => rng.NextDouble() < 0.5 ? 1f : -1f).ToArray()).ToArray();
        var codes = new float[n * Bits];
        for (var i = 0; i < n; i++)
            for (var k = 0; k < Bits; k++)
            {
                var c = centres[i % centres.Length][k];
                codes[i * Bits + k] = rng.NextDouble() < 0.15 ? -c : c;
            }
        return codes;
    }
}
