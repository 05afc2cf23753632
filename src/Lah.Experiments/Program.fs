module Lah.Experiments.Program

open System
open System.IO
open Argu
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

let private query (args: ParseResults<QueryArgs>) =
    let index = Tools.readIndex (args.GetResult QueryArgs.Index)

    let queries =
        match args.TryGetResult QueryArgs.Code, args.TryGetResult QueryArgs.Queries with
        | Some hex, None -> Tools.parseHexCode hex index.Bits
        | None, Some file -> Tools.readIndex file
        | _ -> raise (ArgumentException "give one of --code HEX or --queries FILE")

    let results =
        Tools.search index queries (args.TryGetResult QueryArgs.K) (args.TryGetResult QueryArgs.Radius)

    if args.Contains QueryArgs.Json then
        printfn "%s" (Tools.toJson queries results)
    else
        Tools.printTable queries results

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
        | Query q -> query q
        | Weights w -> weights w
    with
    | :? Lah.Torch.Distributed.DistributedException as e ->
        eprintfn "lah: %s" e.Message
        1
    | Yaml.ExperimentFileError _ as e ->
        eprintfn "lah: %s" e.Message
        2
    | :? ArgumentException
    | :? IOException
    | :? InvalidDataException as e ->
        eprintfn "lah: %s" e.Message
        2
