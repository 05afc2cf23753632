module Lah.Experiments.Program

open System
open System.IO
open Argu
open Spectre.Console
open Lah.Experiments.Cli
open Lah.Experiments.Runner

let private budget (threads: int option) (device: string option) dp =
    let threads = defaultArg threads Environment.ProcessorCount
    // One thread budget for the process: libtorch's pool is sized once, loaders and metrics read the same figure.
    Lah.Torch.Torch.SetNumThreads threads

    {
        Threads = threads
        Device = defaultArg device "cpu"
        Parallel = dp
    }

/// `--nproc N` supervises N ranks of this command; otherwise `body` runs as this process's rank (or alone).
let private distributed (argv: string[]) (d: Launch.DistArgs) (body: Lah.Torch.Distributed.DataParallel option -> int) =
    match d.Nproc with
    | Some n -> Launch.spawn argv n d
    | None ->
        let dp = Launch.join d
        dp |> Option.iter (fun p -> setWorldSize p.Group.WorldSize)

        try
            try
                body dp
            with
            // A rank's failed run ends the rank (its peers must not wait on it); the launcher stops the others.
            | ex when dp.IsSome && not (ex :? Lah.Torch.Distributed.DistributedException) ->
                eprintfn "lah: rank %d: %s" dp.Value.Group.Rank ex.Message
                1
        finally
            dp |> Option.iter (fun p -> p.Group.Dispose())

let private reproduce (argv: string[]) (args: ParseResults<ReproduceArgs>) =
    let target = args.GetResult ReproduceArgs.Target
    let data = args.TryGetResult ReproduceArgs.Data

    let profile =
        match args.TryGetResult ReproduceArgs.Profile, data with
        | Some ProfileName.Paper, Some root
        | None, Some root -> Profile.Paper(Path.GetFullPath root)
        | Some ProfileName.Paper, None ->
            raise (ArgumentException "--profile paper needs --data ROOT (the datasets' folder)")
        | Some ProfileName.Quick, _
        | None, None -> Profile.Quick

    let weights =
        args.TryGetResult ReproduceArgs.Weights
        |> Option.map (fun w ->
            if not (File.Exists w) then
                raise (FileNotFoundException $"--weights: the file {w} does not exist")

            Path.GetFullPath w)

    match profile with
    | Profile.Paper root when not (Directory.Exists root) ->
        raise (DirectoryNotFoundException $"--data: the folder {root} does not exist")
    | _ -> ()

    let spec = Catalog.All.target target profile weights
    let results = args.GetResult(ReproduceArgs.Results, defaultValue = "results")

    let d: Launch.DistArgs =
        {
            Nproc = args.TryGetResult ReproduceArgs.Nproc
            Rank = args.TryGetResult ReproduceArgs.Rank
            WorldSize = args.TryGetResult ReproduceArgs.World_Size
            MasterAddr = args.TryGetResult ReproduceArgs.Master_Addr
            MasterPort = args.TryGetResult ReproduceArgs.Master_Port
            TimeoutSeconds = args.TryGetResult ReproduceArgs.Dist_Timeout
        }

    distributed argv d (fun dp ->
        let options =
            {
                Force = args.Contains ReproduceArgs.Force
                Budget = budget (args.TryGetResult ReproduceArgs.Threads) (args.TryGetResult ReproduceArgs.Device) dp
            }

        Reproduce.reproduce (Results.Store results) options Engine.execute spec (args.Contains Report_Only))

let private printOutcomes (store: Results.Store) (outcomes: Outcome list) =
    for o in outcomes do
        let metrics =
            o.Record.Final
            |> Map.toList
            |> List.map (fun (k, v) -> $"{k} {v:F4}")
            |> String.concat ", "

        match o.Record.Status with
        | Results.Finished -> printfn "%s [%s]: %s (%s)" o.Experiment.Name o.Hash metrics (store.RunFile o.Hash)
        | Results.Failed reason -> printfn "%s [%s]: FAILED: %s" o.Experiment.Name o.Hash reason

    if outcomes |> List.forall (fun o -> o.Record.Status = Results.Finished) then
        0
    else
        1

let private run (argv: string[]) (args: ParseResults<RunArgs>) =
    let experiments = args.GetResult RunArgs.Files |> List.map ExperimentFile.read
    let store = Results.Store(args.GetResult(RunArgs.Results, defaultValue = "results"))

    let d: Launch.DistArgs =
        {
            Nproc = args.TryGetResult RunArgs.Nproc
            Rank = args.TryGetResult RunArgs.Rank
            WorldSize = args.TryGetResult RunArgs.World_Size
            MasterAddr = args.TryGetResult RunArgs.Master_Addr
            MasterPort = args.TryGetResult RunArgs.Master_Port
            TimeoutSeconds = args.TryGetResult RunArgs.Dist_Timeout
        }

    distributed argv d (fun dp ->
        let options =
            {
                Force = args.Contains RunArgs.Force
                Budget = budget (args.TryGetResult RunArgs.Threads) (args.TryGetResult RunArgs.Device) dp
            }

        let outcomes = Reproduce.runGrid store options Engine.execute experiments

        if options.Budget.IsLeader then
            printOutcomes store outcomes
        else
            0)

let private show (args: ParseResults<ShowArgs>) =
    let e = ExperimentFile.read (args.GetResult ShowArgs.File)
    printfn "# content hash %s" (hashOf e)
    printf "%s" (ExperimentFile.toYaml e)
    0

let private parseDevice (text: string) =
    try
        Lah.Torch.Device.Parse text
    with :? FormatException as e ->
        raise (ArgumentException $"--device: {e.Message}")

/// `--model` of encode and query: resolved (file, run folder or hash) and rebuilt on the device.
let private loadModel (results: string) (arg: string) (device: string) =
    ModelFile.load (ModelFile.resolve results arg) (parseDevice device)

/// Progress of an encode: a bar with images/s when interactive, a plain line every few seconds when redirected.
let private withEncodeProgress (total: int) (body: (int -> int -> int -> bool) -> 'a) : 'a =
    let clock = Diagnostics.Stopwatch.StartNew()

    let rate (images: int) =
        float images / max clock.Elapsed.TotalSeconds 1e-9

    if Console.IsOutputRedirected then
        let mutable last = 0.0

        body (fun chunk chunks images ->
            let now = clock.Elapsed.TotalSeconds

            if chunk = chunks || now - last >= 5.0 then
                last <- now
                printfn "%d/%d images done (%.1f images/s)" images total (rate images)

            true)
    else
        AnsiConsole
            .Progress()
            .AutoClear(false)
            .Columns(
                TaskDescriptionColumn(Alignment = Justify.Left),
                ProgressBarColumn(),
                PercentageColumn(),
                RemainingTimeColumn()
            )
            .Start(fun ctx ->
                let task = ctx.AddTask($"encoding 0/{total}", maxValue = float total)

                body (fun _ _ images ->
                    task.Value <- float images
                    task.Description <- $"encoding {images}/{total}, {rate images:F1} images/s"
                    true))

let private encode (args: ParseResults<EncodeArgs>) =
    let b =
        budget (args.TryGetResult EncodeArgs.Threads) (args.TryGetResult EncodeArgs.Device) None

    let results = args.GetResult(EncodeArgs.Results, defaultValue = "results")
    let modelFile = ModelFile.resolve results (args.GetResult EncodeArgs.Model)
    let source = args.GetResult EncodeArgs.Images

    let images =
        Lah.Data.ImageList.Read(
            source,
            args.TryGetResult EncodeArgs.Root |> Option.toObj,
            args.TryGetResult EncodeArgs.Labels |> Option.toObj,
            args.TryGetResult EncodeArgs.Strip_Prefix |> Option.toObj
        )

    let out = args.GetResult EncodeArgs.Out
    use model = ModelFile.load modelFile (parseDevice b.Device)

    printfn
        "model %s (run %s): %s, %d×%d input, %d bits"
        model.Path
        model.Run
        model.Description
        model.InputSize
        model.InputSize
        model.Bits

    let labelled =
        if isNull images.Labels then
            ""
        else
            $", {images.LabelNames.Count} labels"

    printfn "%d images from %s%s" images.Count source labelled

    let featureCache =
        match args.TryGetResult EncodeArgs.Feature_Cache, args.Contains EncodeArgs.No_Feature_Cache with
        | Some _, true -> raise (ArgumentException "--feature-cache, --no-feature-cache: give one or the other")
        | _, true -> None
        | Some dir, false -> Some dir
        | None, false -> Some(IO.Path.Combine(results, "cache", "encode-features"))

    let outcome =
        withEncodeProgress images.Count (fun afterChunk ->
            Encode.run
                model
                images
                out
                {
                    Batch = args.GetResult(EncodeArgs.Batch, defaultValue = 64)
                    Resume = args.Contains EncodeArgs.Resume
                    Workers = b.Threads
                    FeatureCache = featureCache
                    AfterChunk = afterChunk
                })

    for s in outcome.Skipped do
        printfn "skipped %s" s.Reason

    if outcome.Reused > 0 then
        printfn "resumed: %d chunks from the interrupted encode" outcome.Reused

    match outcome.FeatureCache, featureCache with
    | Some dir, _ -> printfn "feature cache %s: %d images' backbone features from the cache" dir outcome.FromCache
    | None, Some _ -> printfn "feature cache: not used (end-to-end model: its backbone was trained with its head)"
    | None, None -> printfn "feature cache: off (--no-feature-cache)"

    printfn
        "%d images encoded into %s (ids → paths in %s), %d skipped; %.1f s, %.1f images/s"
        outcome.Encoded
        out
        (Encode.pathsFile out)
        outcome.Skipped.Length
        outcome.Seconds
        outcome.ImagesPerSecond

    if outcome.Encoded = 0 then
        eprintfn "lah: --images: none of the %d files could be encoded" images.Count
        1
    else
        0

let private query (args: ParseResults<QueryArgs>) =
    let indexFile = args.GetResult QueryArgs.Index
    let index = Tools.readIndex indexFile

    let queries =
        match
            args.TryGetResult QueryArgs.Code, args.TryGetResult QueryArgs.Queries, args.TryGetResult QueryArgs.Image
        with
        | Some hex, None, None -> Tools.parseHexCode hex index.Bits
        | None, Some file, None -> Tools.readIndex file
        | None, None, Some image ->
            let modelArg =
                match args.TryGetResult QueryArgs.Model with
                | Some m -> m
                | None -> raise (ArgumentException "--image needs --model (a model file, a run folder or a run's hash)")

            let b = budget None (args.TryGetResult QueryArgs.Device) None

            use model =
                loadModel (args.GetResult(QueryArgs.Results, defaultValue = "results")) modelArg b.Device

            Encode.imageCode model image indexFile index.Bits
        | _ -> raise (ArgumentException "give one of --image FILE (with --model), --code HEX or --queries FILE")

    let results =
        Tools.search index queries (args.TryGetResult QueryArgs.K) (args.TryGetResult QueryArgs.Radius)

    let notes: Tools.Annotations =
        {
            Labels = Tools.tryReadLabels indexFile
            Paths = Encode.readPaths indexFile
        }

    if args.Contains QueryArgs.Json then
        printfn "%s" (Tools.toJson queries results notes)
    else
        Tools.printTable queries results notes

    0

let private eval (args: ParseResults<EvalArgs>) =
    let b = budget (args.TryGetResult EvalArgs.Threads) None None

    let protocol =
        match args.GetResult(EvalArgs.Protocol, defaultValue = EvalProtocol.Dch) with
        | EvalProtocol.Dch -> DchProtocol
        | EvalProtocol.Lah_Official -> LahOfficialProtocol
        | EvalProtocol.Topk -> TopK(args.GetResult(EvalArgs.Topk, defaultValue = 100))

    let metrics =
        Tools.evaluateIndexes
            protocol
            (args.GetResult(EvalArgs.Radius, defaultValue = 2))
            (args.GetResult EvalArgs.Index)
            (args.GetResult EvalArgs.Queries)
            b.Threads

    if args.Contains EvalArgs.Json then
        printfn
            "%s"
            (Text.Json.JsonSerializer.Serialize(metrics, Text.Json.JsonSerializerOptions(WriteIndented = true)))
    else
        printfn "| metric | value |"
        printfn "|---|---:|"

        for KeyValue(k, v) in metrics do
            printfn "| %s | %.4f |" k v

    0

let private weights (args: ParseResults<WeightsArgs>) =
    match args.GetSubCommand() with
    | Convert(input, output) ->
        Tools.convertWeights input output
        0

[<EntryPoint>]
let main argv =
    let parser =
        ArgumentParser.Create<LahArgs>(programName = "lah", errorHandler = ProcessExiter())

    let args = parser.ParseCommandLine argv

    try
        match args.GetSubCommand() with
        | Reproduce r -> reproduce argv r
        | Run r -> run argv r
        | Show s -> show s
        | Encode e -> encode e
        | Query q -> query q
        | Eval e -> eval e
        | Weights w -> weights w
        | Data d -> DataCommand.run d
    with
    | :? Lah.Torch.Distributed.DistributedException as e ->
        eprintfn "lah: %s" e.Message
        1
    | Yaml.ExperimentFileError _ as e ->
        eprintfn "lah: %s" e.Message
        2
    | :? ArgumentException
    | :? IOException
    | :? InvalidDataException
    | :? Lah.Data.DataFormatException
    | :? Lah.Torch.LahNativeException as e ->
        eprintfn "lah: %s" e.Message
        2
