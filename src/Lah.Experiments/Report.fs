/// Markdown and SVG reports from the results store. Ours and the paper's numbers never share a row or a table.
module Lah.Experiments.Report

open System
open System.Globalization
open System.IO
open System.Text
open Lah.Experiments.Results
open Lah.Experiments.Runner
open Lah.Common

let private inv (v: float) (format: string) =
    v.ToString(format, CultureInfo.InvariantCulture)

let protocolText (e: Experiment) =
    e.Evaluation.Protocols
    |> List.map (fun p ->
        match p with
        | DchProtocol ->
            $"DCH (MAP, P and R within Hamming radius {e.Evaluation.Radius} of each query against the database; "
            + "inside the ball ranked by the inner product of the continuous outputs, then database index; "
            + "an empty ball scores 0, a ball with nothing relevant is left out of the MAP)"
        | LahOfficialProtocol ->
            $"official LAH code (test set leave-one-out, within radius {e.Evaluation.Radius}; mAP1 and mAP2)"
        | TopK k -> $"mAP@{k} over the whole database ranked by Hamming distance"
        | ClassificationMap -> "classification mAP (×100) over the query images")
    |> String.concat "; "

let dataText (e: Experiment) =
    let d = e.Data

    let split =
        match d.Split with
        | DchSplit -> $"DCH split: {d.Query} seeded queries, the rest the database, {d.Train} training images from it"
        | LahOfficialSplit -> "the official LAH train / test lists, test set searched leave-one-out"
        | NamedSplit name ->
            let p = Lah.Data.Splits.Find(Defaults.folderName d.Dataset, name)
            $"protocol {p.Name}: {p.Description}"

    match d.Source, d.Dataset with
    | _, Custom c ->
        let lists =
            if c.Pool = "" then
                $"its lists {Path.GetFileName c.Lists.Train} (training), {Path.GetFileName c.Lists.Database} (database) and {Path.GetFileName c.Lists.Query} (queries)"
            else
                $"a DCH split of its list {Path.GetFileName c.Pool}: {d.Query} seeded queries, the rest the database, {d.Train} training images from it"

        let vectors =
            if c.Vectors = "" then
                "no word vectors"
            else
                $"word vectors from {Path.GetFileName c.Vectors}"

        $"custom dataset {Target.datasetTitle d.Dataset} (labels {Path.GetFileName c.Labels}, {vectors}); {lists}"
    | Embedded, _ ->
        $"embedded default: {d.Pool} synthetic scenes ({d.SceneSize}×{d.SceneSize}) rendered from the real label rows of "
        + $"{Target.datasetTitle d.Dataset} (its real label co-occurrence and word vectors); {split}"
    | Official, _ -> $"{Target.datasetTitle d.Dataset} in its official layout; {split}"

let trainingText (e: Experiment) =
    let t = e.Training

    let opt o =
        match o with
        | Sgd m -> $"SGD (momentum {m})"
        | Adam -> "Adam"
        | AdamW -> "AdamW"

    let mode =
        match t.Mode with
        | FeatureMode -> "feature mode (heads on cached features of the frozen backbone)"
        | EndToEnd -> $"end to end (backbone at lr × {t.BackboneLrMultiplier})"

    $"{mode}; {opt t.Optimizer}, lr {t.LearningRate}, batch {t.BatchSize}, {t.Epochs} epochs, schedule {Yaml.write (Tree.encode t.Schedule) |> fun s -> s.Trim()}"

let private cellText (o: Outcome option) (metric: string) (footnotes: ResizeArray<string>) =
    match o with
    | None -> "—"
    | Some o ->
        match o.Record.Status with
        | Failed reason ->
            footnotes.Add reason
            $"failed[^{footnotes.Count}]"
        | Finished ->
            match o.Record.Final.TryFind metric with
            | Some v when Double.IsFinite v -> inv v "F4"
            | _ -> "n/a"

let private seconds (s: float) =
    if s >= 60.0 then
        $"{int s / 60} min {int s % 60} s"
    else
        $"""{inv s "F1"} s"""

/// The Markdown of a retrieval table: our rows (methods × datasets × bits), then the published rows apart, then how
/// the numbers came about. `outcomes` are looked up by hash.
let retrievalTable (spec: TableSpec) (metric: string) (metricTitle: string) (lookup: Experiment -> Outcome option) =
    let sb = StringBuilder()
    let line (s: string) = sb.Append(s).Append('\n') |> ignore
    let datasets = spec.Cells |> List.map (fun c -> c.Dataset) |> List.distinct

    let bitsOf d =
        spec.Cells
        |> List.filter (fun c -> c.Dataset = d)
        |> List.map (fun c -> c.Bits)
        |> List.distinct
        |> List.sort

    let columns =
        [
            for d in datasets do
                for b in bitsOf d -> d, b
        ]

    let rows = spec.Cells |> List.map (fun c -> c.Row) |> List.distinct
    let footnotes = ResizeArray<string>()

    let header () =
        line (
            "| method | "
            + (columns
               |> List.map (fun (d, b) -> $"{Target.datasetTitle d} {b}")
               |> String.concat " | ")
            + " |"
        )

        line ("|---|" + String.replicate columns.Length "---:|")

    line $"# {spec.Title}"
    line ""
    line $"{metricTitle}, our runs (data, backbone and protocol below)."
    line ""
    header ()

    for r in rows do
        let cells =
            columns
            |> List.map (fun (d, b) ->
                let cell =
                    spec.Cells |> List.tryFind (fun c -> c.Row = r && c.Dataset = d && c.Bits = b)

                match cell with
                | None -> ""
                | Some c -> cellText (lookup c.Experiment) metric footnotes)

        line ($"| {r} | " + String.concat " | " cells + " |")

    if not spec.Published.IsEmpty then
        line ""

        line
            "Published numbers (the paper's data: the real datasets, ImageNet-pretrained ResNet-101, its own protocol). "

        line "They are not comparable with the rows above unless those ran on the same data:"
        line ""
        header ()

        for p in spec.Published do
            let cells =
                columns
                |> List.map (fun k ->
                    match p.Values.TryFind k with
                    | Some v -> inv v "F4"
                    | None -> "")

            line ($"| {p.Label} | " + String.concat " | " cells + " |")

        for p in spec.Published do
            line ""
            line ("Source of \"" + p.Label + "\": " + p.Source + ".")

    let outcomes = spec.Cells |> List.choose (fun c -> lookup c.Experiment)
    line ""
    line "## How these numbers were made"
    line ""

    line (
        "- Reading it: MAP@H≤2 leaves out the queries whose ball holds nothing relevant, so codes whose balls hold a "
        + "few items (random codes at 16 bits) can score high; read it with P and R (the charts below) and the sanity "
        + "rows. A trained method below LSH or the collapsed value has not learned."
    )

    line ""

    match spec.Cells with
    | first :: _ ->
        line $"- Protocol: {protocolText first.Experiment}."
        line $"- Training: {trainingText first.Experiment}."
    | [] -> ()

    for d in datasets do
        match spec.Cells |> List.tryFind (fun c -> c.Dataset = d) with
        | Some c ->
            line $"- Data ({Target.datasetTitle d}): {dataText c.Experiment}."

            let backbone =
                outcomes
                |> List.tryFind (fun o -> o.Experiment.Data.Dataset = d && o.Record.Backbone.Description <> "")

            match backbone with
            | Some o ->
                let cls =
                    if Double.IsFinite o.Record.Backbone.ClassificationMap then
                        $"""; its held-out classification mAP is {inv o.Record.Backbone.ClassificationMap "F1"}"""
                    else
                        ""

                line $"- Backbone ({Target.datasetTitle d}): {o.Record.Backbone.Description}{cls}."
            | None -> ()
        | None -> ()

    let seeds =
        spec.Cells
        |> List.map (fun c -> c.Experiment.Seed)
        |> List.distinct
        |> List.sort

    line $"""- Seeds: {seeds |> List.map string |> String.concat ", "}."""
    let total = outcomes |> List.sumBy (fun o -> o.Record.WallSeconds)
    line $"- Wall time of the runs: {seconds total} ({outcomes.Length} runs)."

    if footnotes.Count > 0 then
        line ""

        footnotes
        |> Seq.iteri (fun i reason -> line $"[^{i + 1}]: {reason.Replace('\n', ' ')}")

    sb.ToString()

/// Per-epoch values of one metric for each series, as a Markdown table (epochs as rows).
let convergenceTable (spec: FigureSpec) (metric: string) (lookup: Experiment -> Outcome option) =
    let sb = StringBuilder()
    let line (s: string) = sb.Append(s).Append('\n') |> ignore

    let curves =
        spec.Series
        |> List.map (fun s ->
            let label = $"{s.Label} ({Target.datasetTitle s.Dataset})"

            match lookup s.Experiment with
            | Some { Record = { Status = Finished } as r } ->
                label,
                Ok(
                    r.Epochs
                    |> List.choose (fun e -> e.Metrics.TryFind metric |> Option.map (fun v -> e.Epoch, v))
                )
            | Some { Record = { Status = Failed reason } } -> label, Error reason
            | None -> label, Error "not run")

    line $"# {spec.Title}"
    line ""
    line ("| epoch | " + (curves |> List.map fst |> String.concat " | ") + " |")
    line ("|---:|" + String.replicate curves.Length "---:|")

    let epochs =
        curves
        |> List.collect (fun (_, c) ->
            match c with
            | Ok points -> List.map fst points
            | Error _ -> [])
        |> List.distinct
        |> List.sort

    for ep in epochs do
        let cells =
            curves
            |> List.map (fun (_, c) ->
                match c with
                | Ok points ->
                    points
                    |> List.tryFind (fun (e, _) -> e = ep)
                    |> Option.map (fun (_, v) -> inv v "F2")
                    |> Option.defaultValue ""
                | Error _ -> "failed")

        line ($"| {ep + 1} | " + String.concat " | " cells + " |")

    for label, c in curves do
        match c with
        | Error reason -> line $"\n{label}: {reason}"
        | Ok _ -> ()

    line ""
    line "## How these numbers were made"
    line ""

    for s in spec.Series |> List.distinctBy (fun s -> s.Dataset) do
        line $"- Data ({Target.datasetTitle s.Dataset}): {dataText s.Experiment}."

    match spec.Series with
    | s :: _ ->
        line $"- Protocol: {protocolText s.Experiment}."
        line $"- Training: {trainingText s.Experiment}."
    | [] -> ()

    sb.ToString(), curves

/// A line chart as SVG (ScottPlot 5), written atomically.
let lineChart
    (path: string)
    (title: string)
    (xLabel: string)
    (yLabel: string)
    (series: (string * (float * float) list) list)
    =
    use plot = new ScottPlot.Plot()

    for label, points in series do
        if not points.IsEmpty then
            let xs = points |> List.map fst |> Array.ofList
            let ys = points |> List.map snd |> Array.ofList
            let s = plot.Add.Scatter(xs, ys)
            s.LegendText <- label

    plot.Title title
    plot.XLabel xLabel
    plot.YLabel yLabel
    plot.ShowLegend() |> ignore
    AtomicFile.WriteAllText(path, plot.GetSvgXml(720, 420))

/// P and R within the radius against code length (the paper's Figure 4), one SVG per measure.
let precisionRecallCharts (dir: string) (spec: TableSpec) (lookup: Experiment -> Outcome option) =
    [
        for metric, name in [ "dch.precision", "precision"; "dch.recall", "recall" ] do
            let series =
                spec.Cells
                |> List.groupBy (fun c -> c.Row, c.Dataset)
                |> List.map (fun ((row, d), cells) ->
                    $"{row} ({Target.datasetTitle d})",
                    cells
                    |> List.choose (fun c ->
                        match lookup c.Experiment with
                        | Some { Record = { Status = Finished } as r } ->
                            r.Final.TryFind metric |> Option.map (fun v -> float c.Bits, v)
                        | _ -> None)
                    |> List.sortBy fst)

            let path = Path.Combine(dir, $"{spec.Id}-{name}.svg")
            lineChart path $"{name} within Hamming radius 2" "code length (bits)" name series
            path
    ]

/// The official protocol's two averages and query selection beside DCH's, for the same codes.
let audit (spec: TableSpec) (lookup: Experiment -> Outcome option) =
    let sb = StringBuilder()
    let line (s: string) = sb.Append(s).Append('\n') |> ignore
    line $"# Audit of {spec.Id}: the same codes under each protocol"
    line ""

    line
        "| method | dataset | bits | DCH MAP@H≤2 | official mAP1 | official mAP2 | official, selected queries mAP1 | selected queries |"

    line "|---|---|---:|---:|---:|---:|---:|---:|"

    for c in spec.Cells do
        match lookup c.Experiment with
        | Some { Record = { Status = Finished } as r } ->
            let v k =
                r.Final.TryFind k
                |> Option.filter Double.IsFinite
                |> Option.map (fun x -> inv x "F4")
                |> Option.defaultValue "n/a"

            line
                $"""| {c.Row} | {Target.datasetTitle c.Dataset} | {c.Bits} | {v "dch.map"} | {v "lah-official.map1"} | {v "lah-official.map2"} | {v "audit.map1"} | {v "audit.queries"} |"""
        | _ -> ()

    line ""
    line "The official code's query selection keeps the queries it scores best on; numbers from it are optimistic."
    sb.ToString()
