/// Runs experiments through an executor and keeps their records: finished runs are skipped, failures are recorded
/// with their reason and the grid goes on, `Force` reruns. The executor does the work; this module only decides what
/// runs and writes what came of it.
module Lah.Experiments.Runner

open System
open System.Diagnostics
open System.IO
open Lah.Experiments.Results

/// What a run produced (the runner adds hash, experiment, timing and machine).
type RunOutput =
    {
        Epochs: EpochLog list
        Final: Map<string, float>
        Backbone: BackboneReport
        /// Images (or feature rows) processed per second while training.
        ImagesPerSecond: float
    }

/// The machine budget of one process: libtorch threads, loader workers and metric threads come from here.
type Budget =
    {
        Threads: int
        Device: string
        /// Data-parallel training: this process is one rank of a group (`lah run --nproc`, `--rank`); None alone.
        Parallel: Lah.Torch.Distributed.DataParallel option
    }

    member b.LoaderWorkers = max 0 (min 2 (b.Threads - 1))
    member b.MetricThreads = b.Threads

    /// Rank 0 (or a process alone) owns the results: it alone writes records, reports and caches.
    member b.IsLeader =
        match b.Parallel with
        | Some p -> p.Group.Rank = 0
        | None -> true

type Progress =
    abstract Status: string -> unit

type RunContext =
    {
        Store: Store
        Hash: string
        /// This run's own folder (checkpoints).
        RunDir: string
        Budget: Budget
        Progress: Progress
    }

type Executor = RunContext -> Experiment -> RunOutput

type Options = { Force: bool; Budget: Budget }

/// The process's data-parallel world size, set once at start-up (`lah run --nproc`, `--world-size`).
let mutable private worldSize = 1

/// Ranks change a run's result (the global batch; batch norm and dropout per rank), so they join its hash when > 1.
let setWorldSize n = worldSize <- n

/// The SHA-256 of a backbone's weights file (hex), "" when the backbone names none.
let weightsDigest (b: Backbone) =
    match b.Weights with
    | WeightsFile when File.Exists b.WeightsFile ->
        use s = File.OpenRead b.WeightsFile
        Convert.ToHexString(Security.Cryptography.SHA256.HashData s)
    | WeightsFile
    | Pretrained _
    | RandomInit -> ""

/// A weights file's digest joins the hash: a different file is a different experiment, a moved one is not. A custom
/// dataset's fingerprint joins it the same way (its paths are not hashed).
let hashOf (e: Experiment) =
    let weights =
        match CustomDatasets.fingerprint e with
        | "" -> weightsDigest e.Backbone
        | data -> $"{weightsDigest e.Backbone};data={data}"

    Tree.contentHash
        e
        (if worldSize > 1 then
             $"{weights};ranks={worldSize}"
         else
             weights)

let private gitCommit () =
    match Environment.GetEnvironmentVariable "LAH_GIT_COMMIT" with
    | null
    | "" ->
        try
            let psi =
                ProcessStartInfo("git", "rev-parse HEAD", RedirectStandardOutput = true, RedirectStandardError = true)

            match Process.Start psi with
            | null -> "unknown"
            | p ->
                use p = p
                let out = p.StandardOutput.ReadToEnd().Trim()
                p.WaitForExit()
                if p.ExitCode = 0 then out else "unknown"
        with _ ->
            "unknown"
    | c -> c

let private cpuName () =
    try
        File.ReadLines "/proc/cpuinfo"
        |> Seq.tryFind (fun l -> l.StartsWith "model name")
        |> Option.map (fun l -> l.Substring(l.IndexOf ':' + 1).Trim())
        |> Option.defaultValue "unknown"
    with _ ->
        "unknown"

let machine (budget: Budget) =
    Map.ofList
        [
            "cpu", cpuName ()
            "cores", string Environment.ProcessorCount
            "threads", string budget.Threads
            "device", budget.Device
            "ranks",
            (match budget.Parallel with
             | Some p -> string p.Group.WorldSize
             | None -> "1")
            "os", Runtime.InteropServices.RuntimeInformation.OSDescription
        ]

let versions () =
    Map.ofList
        [
            "lah", typeof<Options>.Assembly.GetName().Version |> string
            "dotnet", Environment.Version |> string
            "libtorch",
            (try
                Lah.Torch.Torch.Version
             with _ ->
                 "unavailable")
        ]

let private emptyOutput =
    {
        Epochs = []
        Final = Map.empty
        Backbone =
            {
                Description = ""
                ClassificationMap = nan
            }
        ImagesPerSecond = nan
    }

/// One run's outcome as the grid sees it.
type Outcome =
    {
        Experiment: Experiment
        Hash: string
        Record: RunRecord
        /// True when the record came from the store without running.
        Cached: bool
    }

/// Whether rank 0 holds a finished record of this run; every rank follows rank 0, so all of them run it or none.
let private storedOnLeader (options: Options) (store: Store) (hash: string) =
    let local =
        options.Budget.IsLeader
        && (match store.TryRead hash with
            | Some { Status = Finished } -> true
            | _ -> false)

    match options.Budget.Parallel with
    | None -> local
    | Some p ->
        use flag = Lah.Torch.Torch.FromArray([| (if local then 1L else 0L) |], 1L)
        p.Group.Broadcast(flag, 0)
        flag.ToArray<int64>()[0] = 1L

/// Runs one experiment (or takes its record from the store); never throws for a failure inside the run, except under
/// data parallelism: there a failed run ends the process (its peers would otherwise wait on collectives that never come).
let runOne (store: Store) (options: Options) (progress: Progress) (execute: Executor) (e: Experiment) : Outcome =
    let hash = hashOf e

    if options.Force && options.Budget.IsLeader then
        store.Forget hash

    // A record of another engine version means something else: it is rerun, never reused, and the user is told.
    if options.Budget.IsLeader then
        match store.TryRead hash with
        | Some r when r.Engine <> Results.engineVersion ->
            progress.Status
                $"{e.Name} [{hash}]: stored by engine version {r.Engine}, this is version {Results.engineVersion}: rerunning"

            store.Forget hash
        | Some _
        | None -> ()

    match storedOnLeader options store hash with
    | true when options.Budget.IsLeader ->
        {
            Experiment = e
            Hash = hash
            Record = (store.TryRead hash).Value
            Cached = true
        }
    | cached ->
        let ctx =
            {
                Store = store
                Hash = hash
                RunDir = store.RunDir hash
                Budget = options.Budget
                Progress = progress
            }

        Directory.CreateDirectory ctx.RunDir |> ignore
        let clock = Stopwatch.StartNew()

        let status, output =
            try
                // A follower of a run rank 0 has stored does nothing (its placeholder record is never written).
                if cached then
                    Finished, emptyOutput
                else
                    Finished, execute ctx e
            with ex when options.Budget.Parallel.IsNone ->
                let reason =
                    match ex with
                    | :? AggregateException as a when a.InnerExceptions.Count = 1 -> a.InnerExceptions[0].Message
                    | _ -> ex.Message

                Failed reason, emptyOutput

        let record =
            {
                Hash = hash
                Experiment = ExperimentFile.toYaml e
                Status = status
                Seed = e.Seed
                Epochs = output.Epochs
                Final = output.Final
                Backbone = output.Backbone
                WallSeconds = clock.Elapsed.TotalSeconds
                ImagesPerSecond = output.ImagesPerSecond
                Machine = machine options.Budget
                GitCommit = gitCommit ()
                Versions = versions ()
                Engine = Results.engineVersion
            }

        if options.Budget.IsLeader then
            store.Write record

        {
            Experiment = e
            Hash = hash
            Record = record
            Cached = cached
        }

/// Runs a list of experiments in order (each hash once); `onDone` sees each outcome as it arrives.
let runAll
    (store: Store)
    (options: Options)
    (progress: Progress)
    (execute: Executor)
    (onDone: Outcome -> unit)
    experiments
    =
    experiments
    |> List.distinctBy hashOf
    |> List.map (fun e ->
        let o = runOne store options progress execute e
        onDone o
        o)
