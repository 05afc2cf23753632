/// Evaluation of codes under the requested protocols, and the sanity rows' codes. The protocol is decided here
/// and nowhere else: the trainers report what this module computes.
module Lah.Experiments.EngineEval

open System
open Lah.Data
open Lah.Retrieval
open Lah.Retrieval.Metrics
open Lah.Training.Features

/// Codes and labels of a query set and a database.
type Encoded =
    {
        Query: EncodedSet
        QueryLabels: float32[]
        Database: EncodedSet
        DatabaseLabels: float32[]
    }

/// Final metrics under every requested protocol, keyed `protocol.measure`.
let evaluate (e: Experiment) (threads: int) (x: Encoded) : Map<string, float> =
    let r = e.Evaluation.Radius
    let labelCount (codes: EncodedSet) (labels: float32[]) = labels.Length / codes.Codes.Count

    [
        for p in e.Evaluation.Protocols do
            match p with
            | DchProtocol ->
                let d =
                    RetrievalMetrics.Dch(
                        x.Query.Codes,
                        x.Query.Outputs,
                        x.QueryLabels,
                        x.Database.Codes,
                        x.Database.Outputs,
                        x.DatabaseLabels,
                        r,
                        threads
                    )

                yield! [ "dch.map", d.Map; "dch.precision", d.Precision; "dch.recall", d.Recall ]
            | LahOfficialProtocol ->
                // The official code searches its test set leave-one-out: the query set alone.
                let labels = MultiHot.FromFloats(x.QueryLabels, x.Query.Codes.Count, "query labels")

                let a =
                    RetrievalMetrics.LahOfficialAudit(
                        x.Query.Codes,
                        labels,
                        x.Query.Codes.Count,
                        radius = r,
                        threads = threads
                    )

                yield!
                    [
                        "lah-official.map1", a.Full.Map1
                        "lah-official.map2", a.Full.Map2
                        "lah-official.precision", a.Full.Precision
                        "lah-official.recall", a.Full.Recall
                        "audit.map1", a.Subset.Map1
                        "audit.map2", a.Subset.Map2
                        "audit.queries", float a.Selected.Length
                    ]
            | TopK k ->
                let t =
                    RetrievalMetrics.TopKMap(
                        x.Query.Codes,
                        MultiHot.FromFloats(x.QueryLabels, x.Query.Codes.Count, "query labels"),
                        x.Database.Codes,
                        MultiHot.FromFloats(x.DatabaseLabels, x.Database.Codes.Count, "database labels"),
                        k,
                        threads
                    )

                yield $"top{k}.map", t.Map
            | ClassificationMap -> ignore (labelCount x.Query x.QueryLabels)
    ]
    |> Map.ofList

/// Classification mAP (×100) of scores (N×R) against multi-hot targets; every label counts as positive or negative.
let classificationMap (scores: float32[]) (labels: float32[]) (items: int) =
    let targets = labels |> Array.map (fun v -> if v > 0.5f then 1.0f else -1.0f)
    (ClassificationMetrics.AveragePrecision(ReadOnlySpan scores, ReadOnlySpan targets, items)).Map

/// Mean feature of a set (LSH centres every set by the training features' mean).
let featureMean (data: FeatureSet) =
    let d = data.FeatureDim
    let mean = Array.zeroCreate<float32> d

    for i in 0 .. data.Count - 1 do
        for j in 0 .. d - 1 do
            mean[j] <- mean[j] + data.Features[i * d + j] / float32 data.Count

    mean

/// Codes of a sanity row for a feature set: LSH projects with a seeded Gaussian matrix shared by query and database,
/// after centring by `mean` (ReLU features are all positive, so an uncentred projection is biased).
let sanityCodes (head: Head) (seed: int) (bits: int) (mean: float32[]) (data: FeatureSet) : EncodedSet =
    let n = data.Count
    let d = data.FeatureDim
    let outputs = Array.zeroCreate<float32>(n * bits)

    match head with
    | Lsh ->
        let rng = Rng.For(uint64 seed, 0x15AUL)
        let w = Array.init (d * bits) (fun _ -> float32 (rng.NextGaussian()))

        for i in 0 .. n - 1 do
            for b in 0 .. bits - 1 do
                let mutable s = 0.0f

                for j in 0 .. d - 1 do
                    s <- s + (data.Features[i * d + j] - mean[j]) * w[j * bits + b]

                outputs[i * bits + b] <- tanh s
    | RandomCodes ->
        for i in 0 .. n - 1 do
            // Keyed by the item's position and the set's size, so queries and database draw differently.
            let rng = Rng.For(uint64 seed, 0x4A4DUL, uint64 n, uint64 i)

            for b in 0 .. bits - 1 do
                outputs[i * bits + b] <- if rng.NextDouble() < 0.5 then -1.0f else 1.0f
    | Collapsed -> Array.fill outputs 0 outputs.Length 1.0f
    | other -> invalidArg "head" $"{other} is not a sanity row"

    EncodedSet(PackedCodes.FromSigns(outputs, n, bits), outputs)
