/// `reproduce` and `run`: a target's experiments through the runner, with progress, then its reports.
module Lah.Experiments.Reproduce

open System
open System.Diagnostics
open System.IO
open Spectre.Console
open Lah.Common
open Lah.Experiments.Results
open Lah.Experiments.Runner

/// Progress of a grid: runs done / total with ETA, and the current run's status line. Plain lines when redirected.
let withProgress (total: int) (body: Progress -> (Outcome -> unit) -> 'a) : 'a =
    let describe (o: Outcome) =
        let status =
            match o.Record.Status with
            | Finished when o.Cached -> "cached"
            | Finished -> $"done in {o.Record.WallSeconds:F1} s"
            | Failed reason -> $"FAILED: {reason}"

        $"{o.Experiment.Name} [{o.Hash}] {status}"

    if Console.IsOutputRedirected then
        let mutable n = 0

        let progress =
            { new Progress with
                member _.Status text = printfn "  %s" text
            }

        body progress (fun o ->
            n <- n + 1
            printfn "[%d/%d] %s" n total (describe o))
    else
        AnsiConsole
            .Progress()
            .AutoClear(false)
            .Columns(
                TaskDescriptionColumn(Alignment = Justify.Left),
                ProgressBarColumn(),
                PercentageColumn(),
                RemainingTimeColumn(),
                SpinnerColumn()
            )
            .Start(fun ctx ->
                let grid = ctx.AddTask($"runs 0/{total}", maxValue = float (max 1 total))
                let current = ctx.AddTask("starting", maxValue = 1.0)
                current.IsIndeterminate <- true

                let progress =
                    { new Progress with
                        member _.Status text =
                            current.Description <- Markup.Escape text
                    }

                body progress (fun o ->
                    grid.Increment 1.0
                    grid.Description <- $"runs {int grid.Value}/{total}"
                    AnsiConsole.MarkupLine(Markup.Escape(describe o))))

/// Runs experiments (the grid goes on past failures) and returns their outcomes by hash.
let runGrid (store: Store) (options: Options) (execute: Executor) (experiments: Experiment list) =
    let distinct = experiments |> List.distinctBy hashOf

    withProgress distinct.Length (fun progress onDone -> runAll store options progress execute onDone distinct)

let lookupIn (outcomes: Outcome list) =
    let byHash = outcomes |> List.map (fun o -> o.Hash, o) |> dict

    fun (e: Experiment) ->
        match byHash.TryGetValue(hashOf e) with
        | true, o -> Some o
        | _ -> None

/// Looks results up in the store without running anything (`--report-only`).
let lookupStored (store: Store) (e: Experiment) =
    let hash = hashOf e

    store.TryRead hash
    |> Option.map (fun r ->
        {
            Experiment = e
            Hash = hash
            Record = r
            Cached = true
        })

/// Writes a target's reports into the results folder; returns the files written.
let writeReports (resultsDir: string) (target: Target) (lookup: Experiment -> Outcome option) =
    Directory.CreateDirectory resultsDir |> ignore

    match target with
    | RetrievalTable spec ->
        let md = Path.Combine(resultsDir, $"{spec.Id}.md")

        let charts = Report.precisionRecallCharts resultsDir spec lookup

        let text =
            Report.retrievalTable spec "dch.map" "MAP@H≤2 under the DCH protocol" lookup
            + "\n"
            + (charts
               |> List.map (fun c -> $"![{Path.GetFileNameWithoutExtension c}]({Path.GetFileName c})")
               |> String.concat "\n")
            + "\n"

        AtomicFile.WriteAllText(md, text)
        let audit = Path.Combine(resultsDir, $"{spec.Id}-audit.md")
        AtomicFile.WriteAllText(audit, Report.audit spec lookup)
        md :: audit :: charts
    | Convergence spec ->
        let md = Path.Combine(resultsDir, $"{spec.Id}.md")
        let svg = Path.Combine(resultsDir, $"{spec.Id}.svg")
        let text, curves = Report.convergenceTable spec "test.cls-map" lookup

        let series =
            curves
            |> List.choose (fun (label, c) ->
                match c with
                | Ok points -> Some(label, points |> List.map (fun (e, v) -> float (e + 1), v))
                | Error _ -> None)

        Report.lineChart svg spec.Title "epoch" "classification mAP" series
        AtomicFile.WriteAllText(md, text + $"\n![{spec.Id}]({Path.GetFileName svg})\n")
        [ md; svg ]

/// The backbone classification mAP lines printed under a table.
let backboneLines (outcomes: Outcome list) =
    outcomes
    |> List.filter (fun o -> Double.IsFinite o.Record.Backbone.ClassificationMap)
    |> List.distinctBy (fun o -> o.Experiment.Data.Dataset)
    |> List.map (fun o ->
        $"  backbone on {Target.datasetTitle o.Experiment.Data.Dataset}: classification mAP {o.Record.Backbone.ClassificationMap:F1} ({o.Record.Backbone.Description})")

/// A reproduce run: returns the exit code (non-zero when any run failed).
let reproduce (store: Store) (options: Options) (execute: Executor) (target: Target) (reportOnly: bool) =
    let clock = Stopwatch.StartNew()
    let experiments = Target.experiments target

    let outcomes, lookup =
        if reportOnly then
            let found = experiments |> List.choose (lookupStored store)
            found, lookupIn found
        else
            let o = runGrid store options execute experiments
            o, lookupIn o

    // Under data parallelism only rank 0 reports; the other ranks' outcomes hold placeholders for stored runs.
    if not options.Budget.IsLeader then
        0
    else
        let files = writeReports store.Root target lookup
        let failed = outcomes |> List.filter (fun o -> o.Record.Status <> Finished)
        let ran = outcomes |> List.filter (fun o -> not o.Cached)

        printfn ""

        for l in backboneLines outcomes do
            printfn "%s" l

        for f in files do
            printfn "wrote %s" (Path.GetFullPath f)

        printfn
            "%s: %d runs (%d run now, %d from the store, %d failed) in %.1f s"
            (Target.id target)
            (List.length (List.distinctBy hashOf experiments))
            ran.Length
            (outcomes.Length - ran.Length)
            failed.Length
            clock.Elapsed.TotalSeconds

        if failed.IsEmpty then 0 else 1
