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

type ReproduceArgs =
    | [<MainCommand; Mandatory>] Target of target: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Target _ -> "table1, table2 or figure3."

type BuildArgs =
    | [<CliPrefix(CliPrefix.None)>] Setup
    | [<CliPrefix(CliPrefix.None)>] Build
    | [<CliPrefix(CliPrefix.None)>] Test of ParseResults<TestArgs>
    | [<CliPrefix(CliPrefix.None)>] Bench of ParseResults<BenchArgs>
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceArgs>
    | [<CliPrefix(CliPrefix.None)>] Format
    | [<CliPrefix(CliPrefix.None)>] Check_Libtorch2

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Setup -> "check native prerequisites; install them on Debian/Ubuntu as root, else print instructions."
            | Build -> "setup, then build the libtorch shim (CMake) and LAH.sln (Release)."
            | Test _ -> "build, then run every test project (the README's test command)."
            | Bench _ -> "build, then run a benchmark suite (BenchmarkDotNet and side-by-side peers)."
            | Reproduce _ -> "build, then reproduce a table or figure of the paper."
            | Format -> "format F# with Fantomas and C# with `dotnet format`."
            | Check_Libtorch2 ->
                "compile the shim against Debian trixie's libtorch 2.x headers (fetched, not installed)."

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

/// The libtorch 2.x compile check. GPU users bring a CUDA libtorch 2.x, while the shim is only ever built here against
/// Debian 12's 1.13: compile every src/Lah.Native/*.cpp (g++ -std=c++17 -fsyntax-only) against Debian 13 (trixie)'s
/// libtorch-dev 2.x headers. Nothing is installed: a private apt state under artifacts/apt-trixie fetches the .deb,
/// `dpkg-deb -x` unpacks it there (cached for later runs), and a stamp of the sources' hash skips the compile when the
/// sources already passed. The dependency lists are checked so that no torch header silently comes from /usr/include.
let checkLibtorch2 () =
    let dir = path [ "artifacts"; "apt-trixie" ]
    let unpacked = Path.Combine(dir, "root")
    let inc = Path.Combine(unpacked, "usr", "include")

    let versionH =
        Path.Combine(inc, "torch", "csrc", "api", "include", "torch", "version.h")

    let sources = Directory.GetFiles(path [ "src"; "Lah.Native" ]) |> Array.sort

    let runIn (cwd: string) (exe: string) (args: string list) =
        let psi =
            ProcessStartInfo(exe, args, WorkingDirectory = cwd, UseShellExecute = false, RedirectStandardError = true)

        use p = Process.Start psi
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        p.ExitCode, err

    if not (File.Exists versionH) then
        for d in [ "etc"; "state/lists/partial"; "cache/archives/partial"; "debs" ] do
            Directory.CreateDirectory(Path.Combine(dir, d)) |> ignore

        File.WriteAllText(Path.Combine(dir, "etc", "sources.list"), "deb http://deb.debian.org/debian trixie main\n")
        File.WriteAllText(Path.Combine(dir, "state", "status"), "")

        let apt =
            [
                "-o"
                $"Dir::Etc::SourceList={dir}/etc/sources.list"
                "-o"
                "Dir::Etc::SourceParts=/nonexistent"
                "-o"
                $"Dir::State={dir}/state"
                "-o"
                $"Dir::State::status={dir}/state/status"
                "-o"
                $"Dir::Cache={dir}/cache"
                "-o"
                "APT::Architecture=amd64"
                "-o"
                "Debug::NoLocking=1"
            ]

        printfn "check-libtorch2: fetching Debian trixie's libtorch-dev headers into %s" dir

        for step in [ [ "update" ]; [ "download"; "libtorch-dev" ] ] do
            let code, err = runIn (Path.Combine(dir, "debs")) "apt-get" (apt @ step)

            if code <> 0 then
                fail (
                    $"check-libtorch2: `apt-get {String.Join(' ', step)}` against http://deb.debian.org/debian trixie failed "
                    + $"(exit {code}); this check needs the Debian mirror to fetch libtorch-dev 2.x headers:\n{err.Trim()}"
                )

        match Directory.GetFiles(Path.Combine(dir, "debs"), "libtorch-dev_*.deb") with
        | [| deb |] ->
            if Directory.Exists unpacked then
                Directory.Delete(unpacked, true)

            run "dpkg-deb" [ "-x"; deb; unpacked ]
        | debs -> fail $"check-libtorch2: expected one libtorch-dev .deb in {dir}/debs, found {debs.Length}"

        if not (File.Exists versionH) then
            fail $"check-libtorch2: the unpacked libtorch-dev has no {versionH}"

    let version =
        File.ReadAllLines versionH
        |> Array.choose (fun l ->
            match l.Split(' ', StringSplitOptions.RemoveEmptyEntries) with
            | [| "#define"; name; v |] when name.StartsWith "TORCH_VERSION_" -> Some v
            | _ -> None)
        |> String.concat "."

    let stamp = Path.Combine(dir, "checked.stamp")

    let hash =
        use sha = Security.Cryptography.SHA256.Create()

        let bytes =
            sources
            |> Array.collect File.ReadAllBytes
            |> Array.append (Text.Encoding.UTF8.GetBytes version)

        Convert.ToHexString(sha.ComputeHash bytes)

    if File.Exists stamp && File.ReadAllText stamp = hash then
        printfn
            "check-libtorch2: src/Lah.Native already compiles against libtorch %s (unchanged since the last check)"
            version
    else
        let cpps = sources |> Array.filter (fun f -> f.EndsWith ".cpp")
        printfn "check-libtorch2: compiling %d files against libtorch %s headers" cpps.Length version

        let results =
            cpps
            |> Array.Parallel.map (fun cpp ->
                let dep = Path.Combine(dir, Path.GetFileNameWithoutExtension cpp + ".d")

                let args =
                    [
                        "-std=c++17"
                        "-fsyntax-only"
                        "-MD"
                        "-MF"
                        dep
                        "-I"
                        inc
                        "-I"
                        Path.Combine(inc, "torch", "csrc", "api", "include")
                        cpp
                    ]

                let code, err = runIn root "g++" args

                let stray =
                    if code = 0 && File.Exists dep then
                        File.ReadAllText(dep).Split([| ' '; '\n'; '\\' |], StringSplitOptions.RemoveEmptyEntries)
                        |> Array.filter (fun f ->
                            [ "ATen"; "c10"; "torch"; "caffe2" ]
                            |> List.exists (fun d -> f.StartsWith $"/usr/include/{d}/"))
                    else
                        [||]

                Path.GetFileName cpp, code, err, stray)

        let failed =
            results
            |> Array.filter (fun (_, code, _, stray) -> code <> 0 || stray.Length > 0)

        for name, code, err, stray in failed do
            eprintfn
                "check-libtorch2: %s %s\n%s"
                name
                (if code <> 0 then
                     "does not compile"
                 else
                     $"includes the system's torch headers ({stray.[0]})")
                err

        if failed.Length > 0 then
            fail
                $"check-libtorch2: {failed.Length} of {cpps.Length} files fail against libtorch {version}; guard API differences with #if TORCH_VERSION_MAJOR"

        File.WriteAllText(stamp, hash)
        printfn "check-libtorch2: src/Lah.Native compiles against libtorch %s" version

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

let reproduce (args: ParseResults<ReproduceArgs>) =
    let target = args.GetResult Target
    // Never fake output: the experiment runner arrives with the Experiments issue.
    fail $"reproduce {target}: not implemented yet (the Experiments issue has not landed)."

let format () =
    run "dotnet" [ "tool"; "restore" ]
    run "dotnet" [ "fantomas"; "src"; "tests"; "build.fsx" ]
    run "dotnet" [ "format"; "LAH.sln"; "whitespace" ]

let parser =
    ArgumentParser.Create<BuildArgs>(programName = "dotnet fsi build.fsx", errorHandler = ProcessExiter())

let results = parser.ParseCommandLine(fsi.CommandLineArgs |> Array.skip 1)

let exitCode =
    try
        match results.GetAllResults() with
        | [] -> fail ("no target given\n" + parser.PrintUsage())
        | _ :: _ :: _ -> fail "give one target at a time"
        | [ target ] ->

            match target with
            | Setup -> setup ()
            | Build -> build ()
            | Test a -> test a
            | Bench a -> bench a
            | Reproduce a -> reproduce a
            | Format -> format ()
            | Check_Libtorch2 -> checkLibtorch2 ()

            0
    with BuildFailed msg ->
        eprintfn "\nbuild.fsx: %s" msg
        1

exit exitCode
