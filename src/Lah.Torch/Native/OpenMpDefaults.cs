using System.Runtime.InteropServices;

namespace Lah.Torch.Native;

/// <summary>
/// libtorch's intra-op threads (OpenMP) and OpenBLAS's own pthreads share the cores. With OpenMP's default wait policy
/// the OpenMP threads spin after every parallel op and starve OpenBLAS: on 2 cores a 256×2048 @ 2048×350 matmul
/// forward + backward takes 10.3 ms at 2 threads against 3.4 ms passive (PyTorch 1.13 from Debian does the same).
/// So, unless the user chose a policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT set), the process environment gets
/// OMP_WAIT_POLICY=PASSIVE before the native library, and the OpenMP runtime with it, is loaded: the runtime reads it
/// once, at load. .NET keeps its own copy of the environment on Unix, hence libc's setenv.
/// </summary>
internal static partial class OpenMpDefaults
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The policy this process asked for: the user's, or PASSIVE when we set it; null where we cannot set it.</summary>
    public static string? Policy { get; private set; }

    public static void Apply()
    {
        var user = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(user) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")))
        {
            Policy = user;
            return;
        }
        if (OperatingSystem.IsWindows()) return; // the Windows CRT environment is the process's; libtorch there uses MSVC's OpenMP
        try
        {
            if (setenv(Variable, "PASSIVE", 0) != 0) return;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return; // a libc we cannot reach: keep the runtime's default rather than fail to load
        }
        Environment.SetEnvironmentVariable(Variable, "PASSIVE"); // so child processes (peers) see it too
        Policy = "PASSIVE";
    }

    /// <summary>The native (libc) environment's value, which is what the OpenMP runtime reads.</summary>
    public static string? NativeValue(string name) =>
        OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringUTF8(getenv(name));

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
