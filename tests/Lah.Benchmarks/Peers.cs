using System.Diagnostics;

namespace Lah.Benchmarks;

/// <summary>Runs a side-by-side peer script from tests/Lah.Benchmarks/peers with Debian's /usr/bin/python3.</summary>
public static class Peers
{
    public static string Dir { get; } = FindPeersDir();

    public static int Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Dir, script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        p.WaitForExit();
        return p.ExitCode;
    }

    /// <summary>Runs the peer only when our own benchmark succeeded; returns the first failure.</summary>
    public static int RunAfter(int ourExitCode, string script, params string[] args) =>
        ourExitCode != 0 ? ourExitCode : Run(script, args);

    private static string FindPeersDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "tests", "Lah.Benchmarks", "peers");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/Lah.Benchmarks/peers not found above {AppContext.BaseDirectory}");
    }
}
