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
        "libgloo-dev" // c10d's Gloo headers (data-parallel training; libtorch links libgloo already)
        "libopenblas0-pthread"
        "libturbojpeg0-dev"
        "cmake"
        "g++"
        "dataset-fashion-mnist"
    ]

/// Debian packages of the test peers (PyTorch writes .pth files, FAISS writes and searches index files,
/// scikit-learn runs exact t-SNE).
let testPeerPackages =
    [ "python3-torch"; "python3-faiss"; "python3-numpy"; "python3-sklearn" ]

/// Extra Debian packages for the side-by-side benchmarks (FAISS, PIL, PyTorch, NumPy run with /usr/bin/python3).
let benchPackages =
    [ "python3-faiss"; "python3-pil"; "python3-torch"; "python3-numpy" ]

type TestArgs =
    | Filter of expression: string
    | Gpu
    | No_Build

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Filter _ ->
                "extra `dotnet test --filter` expression, ANDed with the default (GPU tests excluded); Expecto projects take "
                + "a plain text or Name~TEXT / FullyQualifiedName~TEXT (tests whose full name contains TEXT)."
            | Gpu ->
                "also run the GPU tests: xunit [Trait(\"Category\", \"Gpu\")], Expecto lists named with a `gpu` word "
                + "(needs a CUDA libtorch via LIBTORCH)."
            | No_Build -> "skip setup and build: test what was last built (a fresh machine needs the build)."

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
    | [<CliPrefix(CliPrefix.None)>] Data of ParseResults<LahPassArgs>
    | [<CliPrefix(CliPrefix.None)>] Format
    | [<CliPrefix(CliPrefix.None)>] Check_Libtorch2

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Setup -> "check native prerequisites; install them on Debian/Ubuntu as root, else print instructions."
            | Build -> "setup, then build the libtorch shim (CMake) and LAH.sln (Release)."
            | Test _ ->
                "build, then run every test project (xunit with `dotnet test`, Expecto executables) (the README's test command)."
            | Bench _ -> "build, then run a benchmark suite (BenchmarkDotNet and side-by-side peers)."
            | Reproduce _ -> "build, then reproduce a table or figure of the paper (table1, table2, figure3)."
            | Run _ -> "build, then run experiment files (YAML, see experiments/example.yaml)."
            | Data _ ->
                "build, then `lah data render --dataset voc2007|coco2014|mirflickr25k|all --out ROOT [--size PX] [--count N]`: "
                + "the embedded scenes as the datasets' downloads (rehearsal data)."
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
        // An unzipped libtorch brings its own Gloo headers (or none: the shim then builds without data parallelism).
        ("Gloo headers (data-parallel training)",
         (libtorchRoot ()).IsSome || File.Exists "/usr/include/gloo/algorithm.h",
         Some "libgloo-dev")
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

    let glooH = Path.Combine(inc, "gloo", "algorithm.h")
    let sources = Directory.GetFiles(path [ "src"; "Lah.Native" ]) |> Array.sort

    let runIn (cwd: string) (exe: string) (args: string list) =
        let psi =
            ProcessStartInfo(exe, args, WorkingDirectory = cwd, UseShellExecute = false, RedirectStandardError = true)

        use p = Process.Start psi
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        p.ExitCode, err

    if not (File.Exists versionH && File.Exists glooH) then
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

        for step in [ [ "update" ]; [ "download"; "libtorch-dev"; "libgloo-dev" ] ] do
            let code, err = runIn (Path.Combine(dir, "debs")) "apt-get" (apt @ step)

            if code <> 0 then
                fail (
                    $"check-libtorch2: `apt-get {String.Join(' ', step)}` against http://deb.debian.org/debian trixie failed "
                    + $"(exit {code}); this check needs the Debian mirror to fetch libtorch-dev 2.x headers:\n{err.Trim()}"
                )

        if Directory.Exists unpacked then
            Directory.Delete(unpacked, true)

        // Gloo's headers are a separate package; c10d's ProcessGroupGloo.hpp needs them (LahDistributed.cpp).
        for name in [ "libtorch-dev"; "libgloo-dev" ] do
            match Directory.GetFiles(Path.Combine(dir, "debs"), $"{name}_*.deb") with
            | [| deb |] -> run "dpkg-deb" [ "-x"; deb; unpacked ]
            | debs -> fail $"check-libtorch2: expected one {name} .deb in {dir}/debs, found {debs.Length}"

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
                            [ "ATen"; "c10"; "torch"; "caffe2"; "gloo" ]
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

type TestKind =
    | Xunit
    | Expecto

/// Test projects by convention: a tests/*/ project whose paket.references lists Expecto is an Expecto executable,
/// one that lists xunit runs under `dotnet test`; anything else there (benchmarks, shared sources) is no test project.
let testProjects () =
    Directory.GetDirectories(path [ "tests" ])
    |> Array.sort
    |> Array.choose (fun dir ->
        let refs = Path.Combine(dir, "paket.references")

        let packages =
            if File.Exists refs then
                File.ReadAllLines refs
                |> Array.choose (fun l ->
                    l.Split([| ' '; '\t' |], StringSplitOptions.RemoveEmptyEntries) |> Array.tryHead)
            else
                [||]

        let project =
            Array.append (Directory.GetFiles(dir, "*.fsproj")) (Directory.GetFiles(dir, "*.csproj"))
            |> Array.tryHead

        match project with
        | Some p when packages |> Array.contains "Expecto" -> Some(p, Expecto)
        | Some p when packages |> Array.contains "xunit" -> Some(p, Xunit)
        | _ -> None)

/// Outcome of one test project: counts, and each skipped test with its reason.
type TestCounts =
    {
        Passed: int
        Failed: int
        Skipped: (string * string) list
    }

let noTests = { Passed = 0; Failed = 0; Skipped = [] }

let addCounts a b =
    {
        Passed = a.Passed + b.Passed
        Failed = a.Failed + b.Failed
        Skipped = a.Skipped @ b.Skipped
    }

let xmlText (node: Xml.XmlNode | null) =
    match node with
    | null -> ""
    | n -> n.InnerText.Trim()

/// A trx file's results. Counted from the UnitTestResult outcomes: the Counters element reports notExecuted="0" for
/// tests xunit skipped. A skip's reason is in Output/ErrorInfo/Message.
let readTrx (file: string) =
    let doc = Xml.XmlDocument()
    doc.Load file

    let results =
        doc.GetElementsByTagName "UnitTestResult"
        |> Seq.cast<Xml.XmlElement>
        |> Seq.toList

    let outcome (r: Xml.XmlElement) = r.GetAttribute "outcome"

    let message (r: Xml.XmlElement) =
        r.ChildNodes
        |> Seq.cast<Xml.XmlNode>
        |> Seq.tryFind (fun n -> n.LocalName = "Output")
        |> Option.bind (fun o ->
            o.ChildNodes
            |> Seq.cast<Xml.XmlNode>
            |> Seq.tryFind (fun n -> n.LocalName = "ErrorInfo"))
        |> Option.bind (fun e ->
            e.ChildNodes
            |> Seq.cast<Xml.XmlNode>
            |> Seq.tryFind (fun n -> n.LocalName = "Message"))
        |> Option.map xmlText
        |> Option.defaultValue ""

    {
        Passed = results |> List.filter (fun r -> outcome r = "Passed") |> List.length
        Failed =
            results
            |> List.filter (fun r -> List.contains (outcome r) [ "Failed"; "Error"; "Timeout"; "Aborted" ])
            |> List.length
        Skipped =
            results
            |> List.filter (fun r -> outcome r = "NotExecuted")
            |> List.map (fun r -> r.GetAttribute "testName", message r)
    }

/// Expecto's JUnit summary (--junit-summary): a testcase with a failure or error child failed, with a skipped child
/// was skipped (its message is the skiptest reason), with neither passed.
let readJUnit (file: string) =
    let doc = Xml.XmlDocument()
    doc.Load file

    let cases =
        doc.GetElementsByTagName "testcase"
        |> Seq.cast<Xml.XmlElement>
        |> Seq.map (fun c ->
            let child name =
                c.ChildNodes
                |> Seq.cast<Xml.XmlNode>
                |> Seq.tryFind (fun n -> n.LocalName = name)

            c.GetAttribute "name", child "failure" |> Option.orElse (child "error"), child "skipped")
        |> Seq.toList

    {
        Passed = cases |> List.filter (fun (_, f, s) -> f.IsNone && s.IsNone) |> List.length
        Failed = cases |> List.filter (fun (_, f, _) -> f.IsSome) |> List.length
        Skipped =
            cases
            |> List.choose (fun (name, f, s) ->
                match f, s with
                | None, Some(:? Xml.XmlElement as e) -> Some(name, e.GetAttribute "message")
                | _ -> None)
    }

/// Runs a command, returning its exit code (a command that cannot start is a build failure).
let runCode (exe: string) (args: string list) =
    printfn "> %s %s" exe (String.Join(" ", args))

    let psi =
        ProcessStartInfo(exe, args, WorkingDirectory = root, UseShellExecute = false)

    use p =
        try
            Process.Start psi
        with e ->
            fail $"could not start '{exe}': {e.Message}"

    p.WaitForExit()
    p.ExitCode

/// `--filter` for Expecto: a plain text, or `Name~T` / `FullyQualifiedName~T` / `DisplayName~T` (or `=`) clauses
/// joined by `|`, keeps the tests whose full name contains T; anything else has no Expecto equivalent (None).
let expectoFilter (filters: string list) =
    match filters with
    | [] -> Some []
    | [ expr ] ->
        let clause (c: string) =
            let m =
                Text.RegularExpressions.Regex.Match(
                    c.Trim(),
                    @"^(?:(?:FullyQualifiedName|Name|DisplayName)[~=])?([^~=!&|()]+)$"
                )

            if m.Success then Some m.Groups[1].Value else None

        let clauses = expr.Split '|' |> Array.map clause

        if clauses |> Array.forall Option.isSome then
            Some(
                clauses
                |> Array.toList
                |> List.collect (fun c -> [ "--name-contains"; c.Value ])
            )
        else
            None
    | _ -> None

let test (args: ParseResults<TestArgs>) =
    if not (args.Contains No_Build) then
        build ()
        // The shim must also compile against the libtorch 2.x a GPU user brings (headers only, nothing installed).
        checkLibtorch2 ()

    // Tests written against PyTorch's, FAISS's and scikit-learn's own output skip without them, unless fixtures are
    // required (CI).
    if
        Environment.GetEnvironmentVariable "LAH_REQUIRE_FIXTURES" = "1"
        && (capture "/usr/bin/python3" [ "-c"; "import torch, faiss, numpy, sklearn" ]).IsNone
    then
        aptInstall testPeerPackages

    let results = path [ "artifacts"; "test-results" ]

    if Directory.Exists results then
        Directory.Delete(results, true)

    Directory.CreateDirectory results |> ignore
    let gpu = args.Contains Gpu
    let filters = args.GetResults Filter

    let filter =
        [
            if not gpu then
                "Category!=Gpu"
            yield! filters |> List.map (sprintf "(%s)")
        ]

    let filterArgs =
        if filter.IsEmpty then
            []
        else
            [ "--filter"; String.Join("&", filter) ]

    let projects = testProjects ()
    let problems = Collections.Generic.List<string>()

    let runOne (project: string, kind) =
        let name = Path.GetFileNameWithoutExtension project

        match kind with
        | Xunit ->
            let trx = Path.Combine(results, name + ".trx")

            let code =
                runCode
                    "dotnet"
                    ([
                        "test"
                        project
                        "-c"
                        "Release"
                        "--no-build"
                        "--logger"
                        $"trx;LogFileName={trx}"
                     ]
                     @ filterArgs)

            if code <> 0 then
                problems.Add $"{name}: dotnet test exited with code {code}"

            if File.Exists trx then readTrx trx else noTests
        | Expecto ->
            match expectoFilter filters with
            | None ->
                problems.Add
                    $"{name}: not run, the filter has no Expecto equivalent (use Name~TEXT or FullyQualifiedName~TEXT)"

                noTests
            | Some nameArgs ->
                let dll =
                    match
                        capture "dotnet" [ "msbuild"; project; "-getProperty:TargetPath"; "-p:Configuration=Release" ]
                    with
                    | Some out when out.Trim().EndsWith ".dll" -> out.Trim()
                    | _ -> fail $"could not find the output of {project} (dotnet msbuild -getProperty:TargetPath)"

                let junit = Path.Combine(results, name + ".junit.xml")

                let code =
                    runCode
                        "dotnet"
                        ([ dll; "--junit-summary"; junit; "--colours"; "0"; "--no-spinner" ]
                         @ (if gpu then [ "--gpu" ] else [])
                         @ nameArgs)

                let counts = if File.Exists junit then readJUnit junit else noTests

                if code <> 0 && counts.Failed = 0 then
                    problems.Add $"{name}: exited with code {code}"
                elif code <> 0 then
                    problems.Add $"{name}: {counts.Failed} failed"

                counts

    let total = projects |> Array.map runOne |> Array.fold addCounts noTests

    if projects.Length = 0 then
        problems.Add "no test project found under tests/"
    elif total.Passed = 0 && total.Failed = 0 then
        problems.Add "no test ran"

    // Everything is printed before the closing line, which CI reads and which must stay last.
    printfn ""

    if not total.Skipped.IsEmpty then
        printfn "Skipped:"

        for name, reason in total.Skipped do
            printfn
                "  %s: %s"
                name
                (if String.IsNullOrWhiteSpace reason then
                     "(no reason given)"
                 else
                     reason)

    for p in problems do
        eprintfn "build.fsx: %s" p

    Console.Error.Flush()
    printfn "\nTests: %d passed, %d failed, %d skipped" total.Passed total.Failed total.Skipped.Length
    if problems.Count = 0 then 0 else 1

let bench (args: ParseResults<BenchArgs>) =
    let suite = args.GetResult(Suite, defaultValue = [])

    if not suite.IsEmpty then
        build ()
        // Side-by-side peers run with Debian's interpreter, which sees python3-faiss/pil/torch.
        if
            not (File.Exists "/usr/bin/python3")
            || (capture "/usr/bin/python3" [ "-c"; "import faiss, PIL, numpy" ]).IsNone
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

// `reproduce`, `run` and `data` pass everything after them to the lah CLI, whose options Argu here does not know.
let results =
    match List.ofArray argv with
    | ("reproduce" | "run" | "data") :: _ -> None
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
                | Test a -> exit (test a) // its closing line stays the last line printed
                | Bench a -> bench a
                | Reproduce _
                | Run _
                | Data _ -> fail "unreachable: reproduce, run and data are handled before parsing"
                | Format -> format ()
                | Check_Libtorch2 -> checkLibtorch2 ()

                0
    with BuildFailed msg ->
        eprintfn "\nbuild.fsx: %s" msg
        1

exit exitCode
