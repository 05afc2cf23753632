module Lah.Experiments.Tests.LaunchTests

open System
open System.Diagnostics
open System.IO
open Expecto
open Lah.Experiments

/// `dotnet lah.dll ARGS` in a folder; exit code, stdout and stderr (generous bound: a loaded 2-core machine).
let private lah (dir: string) (args: string list) =
    let dll = Path.Combine(AppContext.BaseDirectory, "lah.dll")

    let psi =
        ProcessStartInfo(
            "dotnet",
            WorkingDirectory = dir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        )

    for a in dll :: args do
        psi.ArgumentList.Add a

    use p =
        match Process.Start psi with
        | null -> failwith "could not start dotnet"
        | p -> p

    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()

    if not (p.WaitForExit(TimeSpan.FromMinutes 5.)) then
        p.Kill true
        failtest $"lah {String.Join(' ', args)} did not finish within 5 minutes"

    p.WaitForExit()
    p.ExitCode, out.Result, err.Result

let private tiny =
    """name: ddp-tiny
bits: 16
data:
  dataset: voc2007
  pool: 600
  train: 500
  query: 100
backbone:
  weights:
    pretrained:
      epochs: 2
training:
  epochs: 2
"""

[<Tests>]
let tests =
    testList
        "launch"
        [
            test "ranks get the command without --nproc and a share of the cores" {
                let args = Launch.childArgs [| "run"; "a.yaml"; "--nproc"; "2"; "--force" |] 2

                Expect.equal
                    args
                    [
                        "run"
                        "a.yaml"
                        "--force"
                        "--threads"
                        string (max 1 (Environment.ProcessorCount / 2))
                    ]
                    "stripped, threads added"

                Expect.equal
                    (Launch.childArgs [| "run"; "a.yaml"; "--threads"; "3"; "--nproc"; "2" |] 2)
                    [ "run"; "a.yaml"; "--threads"; "3" ]
                    "an explicit budget is kept"
            }

            test "lah run --nproc 2 trains once: rank 0 writes one record (ranks 2), a second invocation reuses it" {
                use dir = new Fixtures.TempDir()
                File.WriteAllText(Path.Combine(dir.Path, "tiny.yaml"), tiny)

                let run () =
                    lah
                        dir.Path
                        [
                            "run"
                            "tiny.yaml"
                            "--results"
                            "r"
                            "--nproc"
                            "2"
                            "--dist-timeout"
                            "120"
                        ]

                let code, out, err = run ()
                Expect.equal code 0 $"exit code; stderr: {err}"
                Expect.stringContains out "ddp-tiny [" "rank 0 prints the result"

                let records =
                    Directory.GetFiles(Path.Combine(dir.Path, "r", "runs"), "run.json", SearchOption.AllDirectories)

                Expect.hasLength records 1 "one record"
                Expect.stringContains (File.ReadAllText records[0]) "\"ranks\": \"2\"" "the record names its ranks"
                let code2, out2, err2 = run ()
                Expect.equal code2 0 $"exit code; stderr: {err2}"
                Expect.stringContains out2 "cached" "the second invocation reuses the record on every rank"
            }

            test "a failing rank fails the launch, naming the rank and its exit code" {
                use dir = new Fixtures.TempDir()
                File.WriteAllText(Path.Combine(dir.Path, "tiny.yaml"), tiny)
                // A results "folder" that is a file: the ranks fail when they create the run's folder.
                File.WriteAllText(Path.Combine(dir.Path, "not-a-folder"), "")

                let code, _, err =
                    lah
                        dir.Path
                        [
                            "run"
                            "tiny.yaml"
                            "--results"
                            "not-a-folder"
                            "--nproc"
                            "2"
                            "--dist-timeout"
                            "30"
                        ]

                Expect.equal code 1 "exit code"
                Expect.stringContains err "lah: rank " "the rank's own error"

                Expect.stringContains
                    err
                    "of 2 exited with code 1; stopped the other ranks"
                    "the launcher names the failed rank"
            }

            test "a rank outside the world is refused with a clear message" {
                use dir = new Fixtures.TempDir()
                File.WriteAllText(Path.Combine(dir.Path, "tiny.yaml"), tiny)

                let code, _, err =
                    lah
                        dir.Path
                        [
                            "run"
                            "tiny.yaml"
                            "--rank"
                            "2"
                            "--world-size"
                            "2"
                            "--dist-timeout"
                            "5"
                        ]

                Expect.equal code 1 "exit code"
                Expect.stringContains err "rank 2 is outside 0..1 (world size 2)" "the message"
            }
        ]
