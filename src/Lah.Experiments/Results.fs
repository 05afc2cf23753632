/// The results store: one JSON record per run under `results/runs/<hash>/run.json`, written atomically.
module Lah.Experiments.Results

// Reflection over records and the JSON DOM hand out nullable values; missing ones are checked where they are read.
#nowarn "3261"

open System
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open Lah.Common

/// What the engine's records mean. A run stored by another version is never reused: the runner reruns it and says why.
/// 2: the one training loop (feature-mode batch order and pre-training drawn from explicit generators, every method
/// end to end, pre-training shared by both modes, no query found itself under any protocol, and under data parallelism
/// every loss sees the whole global batch).
let engineVersion = 2

type EpochLog =
    {
        Epoch: int
        Loss: float
        /// e.g. `validation.map`, `test.map`, `test.cls-map`.
        Metrics: Map<string, float>
    }

/// How the features a head was trained on came about: stated under every table.
type BackboneReport =
    {
        Description: string
        /// Held-out classification mAP (×100) of the pre-trained backbone; NaN when not measured.
        ClassificationMap: float
    }

type RunStatus =
    | Finished
    | Failed of reason: string

type RunRecord =
    {
        Hash: string
        /// The experiment as YAML (reads back with ExperimentFile.parse).
        Experiment: string
        Status: RunStatus
        Seed: int
        Epochs: EpochLog list
        /// Final metrics under every requested protocol, e.g. `dch.map`, `dch.precision`, `lah-official.map1`.
        Final: Map<string, float>
        Backbone: BackboneReport
        WallSeconds: float
        ImagesPerSecond: float
        Machine: Map<string, string>
        GitCommit: string
        Versions: Map<string, string>
        /// The engine version that wrote the record (1 for records without one).
        Engine: int
    }

let private num (v: float) : JsonNode =
    if Double.IsFinite v then
        JsonValue.Create v
    else
        JsonValue.Create(v.ToString(Globalization.CultureInfo.InvariantCulture))

let private readNum (n: JsonNode) =
    match n.GetValueKind() with
    | JsonValueKind.Number -> n.GetValue<float>()
    | JsonValueKind.String -> Double.Parse(n.GetValue<string>(), Globalization.CultureInfo.InvariantCulture)
    | k -> raise (InvalidDataException $"expected a number, got {k}")

let private numMap (m: Map<string, float>) =
    let o = JsonObject()

    for KeyValue(k, v) in m do
        o[k] <- num v

    o

let private strMap (m: Map<string, string>) =
    let o = JsonObject()

    for KeyValue(k, v) in m do
        o[k] <- JsonValue.Create v

    o

let toJson (r: RunRecord) =
    let o = JsonObject()
    o["format"] <- JsonValue.Create "lah-run/1"
    o["hash"] <- JsonValue.Create r.Hash
    o["engine"] <- JsonValue.Create r.Engine

    o["status"] <-
        JsonValue.Create(
            match r.Status with
            | Finished -> "finished"
            | Failed _ -> "failed"
        )

    match r.Status with
    | Failed reason -> o["reason"] <- JsonValue.Create reason
    | Finished -> ()

    o["seed"] <- JsonValue.Create r.Seed
    o["experiment"] <- JsonValue.Create r.Experiment
    let epochs = JsonArray()

    for e in r.Epochs do
        let eo = JsonObject()
        eo["epoch"] <- JsonValue.Create e.Epoch
        eo["loss"] <- num e.Loss
        eo["metrics"] <- numMap e.Metrics
        epochs.Add eo

    o["epochs"] <- epochs
    o["final"] <- numMap r.Final
    let b = JsonObject()
    b["description"] <- JsonValue.Create r.Backbone.Description
    b["classification_map"] <- num r.Backbone.ClassificationMap
    o["backbone"] <- b
    o["wall_seconds"] <- num r.WallSeconds
    o["images_per_second"] <- num r.ImagesPerSecond
    o["machine"] <- strMap r.Machine
    o["git_commit"] <- JsonValue.Create r.GitCommit
    o["versions"] <- strMap r.Versions
    o.ToJsonString(JsonSerializerOptions(WriteIndented = true))

let fromJson (file: string) (text: string) : RunRecord =
    try
        let o = JsonNode.Parse(text).AsObject()

        if
            (o["format"] |> Option.ofObj |> Option.map (fun n -> n.GetValue<string>()))
            <> Some "lah-run/1"
        then
            raise (InvalidDataException "field 'format': expected 'lah-run/1'")

        let req (k: string) =
            match o[k] with
            | null -> raise (InvalidDataException $"field '{k}' is missing")
            | n -> n

        let nums (n: JsonNode) =
            n.AsObject() |> Seq.map (fun kv -> kv.Key, readNum kv.Value) |> Map.ofSeq

        let strs (n: JsonNode) =
            n.AsObject()
            |> Seq.map (fun kv -> kv.Key, kv.Value.GetValue<string>())
            |> Map.ofSeq

        let b = (req "backbone").AsObject()

        {
            Hash = (req "hash").GetValue<string>()
            Experiment = (req "experiment").GetValue<string>()
            Status =
                match (req "status").GetValue<string>() with
                | "finished" -> Finished
                | "failed" -> Failed((req "reason").GetValue<string>())
                | s -> raise (InvalidDataException $"field 'status': expected finished or failed, got '{s}'")
            Seed = (req "seed").GetValue<int>()
            Epochs =
                [
                    for e in (req "epochs").AsArray() ->
                        {
                            Epoch = e["epoch"].GetValue<int>()
                            Loss = readNum e["loss"]
                            Metrics = nums e["metrics"]
                        }
                ]
            Final = nums (req "final")
            Backbone =
                {
                    Description = b["description"].GetValue<string>()
                    ClassificationMap = readNum b["classification_map"]
                }
            WallSeconds = readNum (req "wall_seconds")
            ImagesPerSecond = readNum (req "images_per_second")
            Machine = strs (req "machine")
            GitCommit = (req "git_commit").GetValue<string>()
            Versions = strs (req "versions")
            Engine =
                match o["engine"] with
                | null -> 1
                | n -> n.GetValue<int>()
        }
    with
    | :? InvalidDataException as e -> raise (InvalidDataException($"{file}: {e.Message}", e))
    | :? JsonException as e -> raise (InvalidDataException($"{file}: not valid JSON: {e.Message}", e))
    | :? InvalidOperationException as e -> raise (InvalidDataException($"{file}: {e.Message}", e))
    | :? NullReferenceException as e -> raise (InvalidDataException($"{file}: a required field is missing", e))

/// A results folder: `runs/<hash>/run.json` per run, `runs/<hash>/` for its checkpoints, `cache/` for shared work.
type Store(root: string) =
    member _.Root = root
    member _.RunDir(hash: string) = Path.Combine(root, "runs", hash)

    member this.RunFile(hash: string) =
        Path.Combine(this.RunDir hash, "run.json")

    member _.CacheDir(kind: string, key: string) = Path.Combine(root, "cache", kind, key)

    member this.TryRead(hash: string) =
        let f = this.RunFile hash

        if File.Exists f then
            Some(fromJson f (File.ReadAllText f))
        else
            None

    member this.Write(r: RunRecord) =
        AtomicFile.WriteAllText(this.RunFile r.Hash, toJson r)

    /// Removes a run's record and checkpoints (`--force`).
    member this.Forget(hash: string) =
        let d = this.RunDir hash

        if Directory.Exists d then
            Directory.Delete(d, true)
