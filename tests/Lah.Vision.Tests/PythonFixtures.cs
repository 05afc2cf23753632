using System.Diagnostics;
using Xunit;

namespace Lah.Vision.Tests;

/// <summary>
/// Fixtures written by PyTorch itself (Debian's python3-torch under /usr/bin/python3, or LAH_PYTHON). Without it a
/// test skips with the reason, unless LAH_REQUIRE_FIXTURES=1, where it fails.
/// </summary>
internal static class PythonFixtures
{
    public static string Python =>
        Environment.GetEnvironmentVariable("LAH_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    public static bool Required => Environment.GetEnvironmentVariable("LAH_REQUIRE_FIXTURES") == "1";

    /// <summary>Skips (or, when fixtures are required, fails) unless <paramref name="available"/>.</summary>
    public static void Need(bool available, string reason)
    {
        if (available) return;
        if (Required) Assert.Fail($"{reason} (LAH_REQUIRE_FIXTURES=1)");
        Skip.If(true, reason);
    }

    /// <summary>Runs a Python script; skips when Python or one of <paramref name="modules"/> is missing.</summary>
    public static string Run(string script, string[] args, params string[] modules)
    {
        var probe = Exec("-c", "import " + string.Join(", ", modules));
        Need(probe.Code == 0, $"{Python} cannot import {string.Join(", ", modules)}: {probe.Output.Trim()}");
        var run = Exec([script, .. args]);
        if (run.Code != 0) Assert.Fail($"{script} failed ({run.Code}): {run.Output}");
        return run.Output;
    }

    private static (int Code, string Output) Exec(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
