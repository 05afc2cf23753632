// LAH.NET build script: `dotnet fsi build.fsx <target>`.
// Targets run what they depend on (test → build → setup), so on a fresh machine `dotnet fsi build.fsx test`
// installs the native prerequisites (Debian/Ubuntu as root), builds the libtorch shim and the solution, and tests.
#r "nuget: Argu, 6.1.1"

open System
open System.Diagnostics
open System.IO
open Argu

let root = __SOURCE_DIRECTORY__

let path (parts: string list) =
    Path.Combine(root :: parts |> List.toArray)

let nativeDir = path [ "artifacts"; "native" ]
let nativeLib = Path.Combine(nativeDir, "liblahnative.so")
let debianTorchConfig = "/usr/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake"
let fashionMnistDir = "/usr/share/datasets/fashion-mnist"

/// Debian packages the project needs to build, test and run on the embedded default data.
let debianPackages =
    [
        "libtorch-dev"
        "libopenblas0-pthread"
        "libturbojpeg0-dev"
        "cmake"
        "g++"
        "dataset-fashion-mnist"
    ]

/// Extra Debian packages for the side-by-side benchmarks (FAISS, PIL, PyTorch run with /usr/bin/python3).
let benchPackages = [ "python3-faiss"; "python3-pil"; "python3-torch" ]

type TestArgs =
    | Filter of expression: string
    | Gpu

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Filter _ -> "extra `dotnet test --filter` expression, ANDed with the default (GPU tests excluded)."
            | Gpu -> "also run the tests marked [Trait(\"Category\", \"Gpu\")] (needs a CUDA libtorch via LIBTORCH)."

type BenchArgs =
    | [<MainCommand>] Suite of suite: string list

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Suite _ ->
                "benchmark suite and its arguments (e.g. `retrieval`, `torch`, `data`, `hashing`); none lists them."

/// `reproduce` and `run` hand their arguments to the `lah` CLI (`lah reproduce --help` lists them all).
type LahPassArgs =
    | [<MainCommand>] Arguments of args: string list

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Arguments _ ->
                "e.g. `table1 [--profile quick|paper] [--data ROOT] [--weights FILE] [--device cuda] [--force]`, or experiment files for `run`."

type BuildArgs =
    | [<CliPrefix(CliPrefix.None)>] Setup
    | [<CliPrefix(CliPrefix.None)>] Build
    | [<CliPrefix(CliPrefix.None)>] Test of ParseResults<TestArgs>
    | [<CliPrefix(CliPrefix.None)>] Bench of ParseResults<BenchArgs>
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<LahPassArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<LahPassArgs>
    | [<CliPrefix(CliPrefix.None)>] Format

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Setup -> "check native prerequisites; install them on Debian/Ubuntu as root, else print instructions."
            | Build -> "setup, then build the libtorch shim (CMake) and LAH.sln (Release)."
            | Test _ -> "build, then run every test project (the README's test command)."
            | Bench _ -> "build, then run a benchmark suite (BenchmarkDotNet and side-by-side peers)."
            | Reproduce _ -> "build, then reproduce a table or figure of the paper (table1, table2, figure3)."
            | Run _ -> "build, then run experiment files (YAML, see experiments/example.yaml)."
            | Format -> "format F# with Fantomas and C# with `dotnet format`."

exception BuildFailed of string

let fail msg = raise (BuildFailed msg)

let run (exe: string) (args: string list) =
    printfn "> %s %s" exe (String.Join(" ", args))

    let psi =
        ProcessStartInfo(exe, args, WorkingDirectory = root, UseShellExecute = false)

    use p =
        try
            Process.Start psi
        with e ->
            fail $"could not start '{exe}': {e.Message}"

    p.WaitForExit()

    if p.ExitCode <> 0 then
        let line = String.concat " " (exe :: args)
        fail $"'{line}' exited with code {p.ExitCode}"

let capture (exe: string) (args: string list) =
    try
        let psi =
            ProcessStartInfo(exe, args, RedirectStandardOutput = true, RedirectStandardError = true)

        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        if p.ExitCode = 0 then Some out else None
    with _ ->
        None

let onPath exe = (capture "which" [ exe ]).IsSome

let hasSharedLib (name: string) =
    match capture "ldconfig" [ "-p" ] with
    | Some out -> out.Contains name
    | None -> false

let libtorchRoot () =
    match Environment.GetEnvironmentVariable "LIBTORCH" with
    | null
    | "" -> None
    | dir -> Some(Path.GetFullPath dir)

/// Prerequisites as (what, present?, Debian package that provides it).
let prerequisites () =
    let torch =
        match libtorchRoot () with
        | Some dir ->
            let cfg = Path.Combine(dir, "share", "cmake", "Torch", "TorchConfig.cmake")

            if not (File.Exists cfg) then
                fail $"LIBTORCH={dir} does not look like an unzipped libtorch: {cfg} is missing."

            ("libtorch (LIBTORCH)", true, None)
        | None -> ("libtorch (Debian libtorch-dev)", File.Exists debianTorchConfig, Some "libtorch-dev")

    [
        torch
        ("OpenBLAS (pthread)",
         Directory.Exists "/usr/lib/x86_64-linux-gnu/openblas-pthread"
         || hasSharedLib "libopenblas.so",
         Some "libopenblas0-pthread")
        ("libjpeg-turbo (TurboJPEG)", hasSharedLib "libturbojpeg.so.0", Some "libturbojpeg0-dev")
        ("cmake", onPath "cmake", Some "cmake")
        ("g++", onPath "g++", Some "g++")
        ("Fashion-MNIST (embedded default data)", Directory.Exists fashionMnistDir, Some "dataset-fashion-mnist")
    ]

let isRoot () =
    (capture "id" [ "-u" ])
    |> Option.map (fun s -> s.Trim() = "0")
    |> Option.defaultValue false

let aptInstall (packages: string list) =
    let isDebian = File.Exists "/etc/debian_version"

    if isDebian && isRoot () then
        Environment.SetEnvironmentVariable("DEBIAN_FRONTEND", "noninteractive")
        run "apt-get" [ "update"; "-q" ]
        run "apt-get" ([ "install"; "-y"; "-q"; "--no-install-recommends" ] @ packages)
    else
        let how =
            if isDebian then
                "run as root:  apt-get install -y " + String.concat " " packages
            else
                "install libtorch (https://pytorch.org, C++ LibTorch; set LIBTORCH=/path/to/libtorch), "
                + "libjpeg-turbo (TurboJPEG), OpenBLAS, cmake and a C++17 compiler with your package manager, "
                + "and Fashion-MNIST's IDX files under "
                + fashionMnistDir

        let names = String.concat ", " packages
        fail $"missing prerequisites: {names}\n  {how}"

let setup () =
    let missing =
        prerequisites ()
        |> List.filter (fun (_, ok, _) -> not ok)
        |> List.choose (fun (_, _, pkg) -> pkg)

    if not missing.IsEmpty then
        aptInstall missing

    for what, ok, _ in prerequisites () do
        if not ok then
            fail $"{what} still missing after installation"

    printfn
        "setup: prerequisites present%s"
        (libtorchRoot ()
         |> Option.map (sprintf " (LIBTORCH=%s)")
         |> Option.defaultValue "")

let buildNative () =
    let src = path [ "src"; "Lah.Native" ]
    let buildDir = Path.Combine(nativeDir, "build")

    let prefix =
        libtorchRoot ()
        |> Option.map (fun d -> [ $"-DCMAKE_PREFIX_PATH={d}" ])
        |> Option.defaultValue []

    run "cmake" ([ "-S"; src; "-B"; buildDir; "-DCMAKE_BUILD_TYPE=Release" ] @ prefix)
    run "cmake" [ "--build"; buildDir; "--parallel"; string Environment.ProcessorCount ]
    let built = Path.Combine(buildDir, "liblahnative.so")

    if not (File.Exists built) then
        fail $"CMake finished but {built} was not produced"

    File.Copy(built, nativeLib, overwrite = true)

let build () =
    setup ()
    run "dotnet" [ "tool"; "restore" ]
    run "dotnet" [ "paket"; "restore" ]
    buildNative ()
    run "dotnet" [ "build"; "LAH.sln"; "-c"; "Release"; "-nologo"; "-clp:NoSummary" ]

/// Adds the per-project trx results up into the one closing line CI reads: "N passed, N failed, N skipped".
let summarizeTrx (dir: string) =
    let counters =
        Directory.GetFiles(dir, "*.trx")
        |> Array.map (fun f ->
            let doc = Xml.XmlDocument()
            doc.Load f
            let c = doc.GetElementsByTagName("Counters").[0]
            let get (n: string) = int (c.Attributes.[n].Value)
            get "passed", get "failed" + get "error" + get "timeout" + get "aborted", get "notExecuted")

    let sum f = counters |> Array.sumBy f
    sum (fun (p, _, _) -> p), sum (fun (_, f, _) -> f), sum (fun (_, _, s) -> s)

let test (args: ParseResults<TestArgs>) =
    build ()
    let results = path [ "artifacts"; "test-results" ]

    if Directory.Exists results then
        Directory.Delete(results, true)

    let filter =
        [
            if not (args.Contains Gpu) then
                "Category!=Gpu"
            yield! args.GetResults Filter |> List.map (sprintf "(%s)")
        ]

    let filterArgs =
        if filter.IsEmpty then
            []
        else
            [ "--filter"; String.Join("&", filter) ]

    let outcome =
        try
            run
                "dotnet"
                ([
                    "test"
                    "LAH.sln"
                    "-c"
                    "Release"
                    "--no-build"
                    "--logger"
                    "trx"
                    "--results-directory"
                    results
                 ]
                 @ filterArgs)

            None
        with BuildFailed m ->
            Some m

    let passed, failed, skipped =
        if Directory.Exists results then
            summarizeTrx results
        else
            0, 0, 0

    printfn "\nTests: %d passed, %d failed, %d skipped" passed failed skipped

    match outcome with
    | Some m -> fail m
    | None when passed = 0 -> fail "no test ran"
    | None -> ()

let bench (args: ParseResults<BenchArgs>) =
    let suite = args.GetResult(Suite, defaultValue = [])

    if not suite.IsEmpty then
        build ()
        // Side-by-side peers run with Debian's interpreter, which sees python3-faiss/pil/torch.
        if
            not (File.Exists "/usr/bin/python3")
            || (capture "/usr/bin/python3" [ "-c"; "import faiss, PIL" ]).IsNone
        then
            aptInstall benchPackages

    run
        "dotnet"
        ([
            "run"
            "-c"
            "Release"
            "--project"
            path [ "tests"; "Lah.Benchmarks" ]
            "--"
         ]
         @ suite)

/// Builds what the `lah` CLI needs (native shim and the Experiments project, not the tests) and runs it.
let lah (command: string) (args: string list) =
    let clock = Stopwatch.StartNew()
    setup ()
    run "dotnet" [ "tool"; "restore" ]
    run "dotnet" [ "paket"; "restore" ]
    buildNative ()
    let project = path [ "src"; "Lah.Experiments"; "Lah.Experiments.fsproj" ]
    run "dotnet" [ "build"; project; "-c"; "Release"; "-nologo"; "-clp:NoSummary"; "-v"; "q" ]
    printfn "build: %.0f s" clock.Elapsed.TotalSeconds
    let dll = path [ "src"; "Lah.Experiments"; "bin"; "Release"; "net10.0"; "lah.dll" ]

    try
        run "dotnet" (dll :: command :: args)
    finally
        printfn "%s: %.0f s in all (build included)" command clock.Elapsed.TotalSeconds

let format () =
    run "dotnet" [ "tool"; "restore" ]
    run "dotnet" [ "fantomas"; "src"; "tests"; "build.fsx" ]
    run "dotnet" [ "format"; "LAH.sln"; "whitespace" ]

let parser =
    ArgumentParser.Create<BuildArgs>(programName = "dotnet fsi build.fsx", errorHandler = ProcessExiter())

let argv = fsi.CommandLineArgs |> Array.skip 1

// `reproduce` and `run` pass everything after them to the lah CLI, whose options Argu here does not know.
let results =
    match List.ofArray argv with
    | ("reproduce" | "run") :: _ -> None
    | _ -> Some(parser.ParseCommandLine argv)

let exitCode =
    try
        match results with
        | None ->
            lah argv[0] (List.ofArray argv |> List.tail)
            0
        | Some results ->
            match results.GetAllResults() with
            | [] -> fail ("no target given\n" + parser.PrintUsage())
            | _ :: _ :: _ -> fail "give one target at a time"
            | [ target ] ->

                match target with
                | Setup -> setup ()
                | Build -> build ()
                | Test a -> test a
                | Bench a -> bench a
                | Reproduce _
                | Run _ -> fail "unreachable: reproduce and run are handled before parsing"
                | Format -> format ()

                0
    with BuildFailed msg ->
        eprintfn "\nbuild.fsx: %s" msg
        1

exit exitCode
