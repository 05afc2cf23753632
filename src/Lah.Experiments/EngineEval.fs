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

/// Metrics under each of `protocols` at Hamming radius `r`, keyed `protocol.measure` (runs and `lah eval` alike).
let evaluateProtocols (protocols: Protocol list) (r: int) (threads: int) (x: Encoded) : Map<string, float> =
    let labelCount (codes: EncodedSet) (labels: float32[]) = labels.Length / codes.Codes.Count

    [
        for p in protocols do
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

/// Final metrics under every protocol the experiment asks for.
let evaluate (e: Experiment) (threads: int) (x: Encoded) : Map<string, float> =
    evaluateProtocols e.Evaluation.Protocols e.Evaluation.Radius threads x

/// Classification mAP (×100) of scores (N×R) against multi-hot targets; every label counts as positive or negative.
let classificationMap (scores: float32[]) (labels: float32[]) (items: int) =
    let targets = labels |> Array.map (fun v -> if v > 0.5f then 1.0f else -1.0f)
    (ClassificationMetrics.AveragePrecision(ReadOnlySpan scores, ReadOnlySpan targets, items)).Map

/// Codes of a sanity row for a feature set: LSH (Lah.Training's, centred on `mean`, the database's) and collapsed
/// codes are the library's floors; random codes are drawn per item from the seed.
let sanityCodes (head: Head) (seed: int) (bits: int) (mean: float32[]) (data: FeatureSet) : EncodedSet =
    match head with
    | Lsh -> HashBaselines.Lsh(data, bits, uint64 seed, mean)
    | Collapsed -> HashBaselines.Collapsed(data.Count, bits)
    | RandomCodes ->
        let n = data.Count
        let outputs = Array.zeroCreate<float32>(n * bits)

        for i in 0 .. n - 1 do
            // Keyed by the item's position and the set's size, so queries and database draw differently.
            let rng = Rng.For(uint64 seed, 0x4A4DUL, uint64 n, uint64 i)

            for b in 0 .. bits - 1 do
                outputs[i * bits + b] <- if rng.NextDouble() < 0.5 then -1.0f else 1.0f

        EncodedSet(PackedCodes.FromSigns(outputs, n, bits), outputs)
    | other -> invalidArg "head" $"{other} is not a sanity row"
