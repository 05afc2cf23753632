/// The one scorer: every protocol a record can name is interpreted here and nowhere else — end-of-run metrics,
/// per-epoch curves, validation selection and `lah eval` all call this module.
module Lah.Experiments.Scoring

open System
open Lah.Data
open Lah.Retrieval
open Lah.Retrieval.Metrics
open Lah.Training.Inference

/// Codes and labels of a query set and a database; `Self` maps each query to the database position of its own item
/// (−1: not in the database), so no protocol lets a query find itself.
type Encoded =
    {
        Query: EncodedSet
        QueryLabels: float32[]
        Database: EncodedSet
        DatabaseLabels: float32[]
        Self: int[] option
    }

/// For queries and database given as pool indices: each query's position in the database, or −1. None when no query
/// is a database item (the usual DCH split).
let selfIndex (queries: int[]) (database: int[]) : int[] option =
    let position = Collections.Generic.Dictionary<int, int>()
    database |> Array.iteri (fun i item -> position[item] <- i)

    let self =
        queries
        |> Array.map (fun q ->
            match position.TryGetValue q with
            | true, i -> i
            | _ -> -1)

    if self |> Array.exists (fun i -> i >= 0) then Some self else None

/// Retrieval metrics under each of `protocols` at Hamming radius `r`, keyed `protocol.measure`.
let retrieval (protocols: Protocol list) (r: int) (threads: int) (x: Encoded) : Map<string, float> =
    let self = Option.toObj x.Self
    let queryLabels () = MultiHot.FromFloats(x.QueryLabels, x.Query.Codes.Count, "query labels")

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
                        threads,
                        self = self
                    )

                yield! [ "dch.map", d.Map; "dch.precision", d.Precision; "dch.recall", d.Recall ]
            | LahOfficialProtocol ->
                // The official code searches its test set leave-one-out: the query set alone.
                let a =
                    RetrievalMetrics.LahOfficialAudit(
                        x.Query.Codes,
                        queryLabels (),
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
                        queryLabels (),
                        x.Database.Codes,
                        MultiHot.FromFloats(x.DatabaseLabels, x.Database.Codes.Count, "database labels"),
                        k,
                        threads,
                        self
                    )

                yield $"top{k}.map", t.Map
            | ClassificationMap -> () // scored on the classifier's outputs: see `classification`
    ]
    |> Map.ofList

/// Multi-hot relevance labels of pool items (difficult counted positive, as the training targets).
let labelsOf (dataset: IMultiLabelDataset) (items: int[]) =
    items |> Array.collect (fun i -> dataset[i].Labels.ToMultiHot())

/// ML-GCN's classification targets of pool items: 1 positive, 0 difficult (skipped), −1 absent.
let targetsOf (dataset: IMultiLabelDataset) (items: int[]) =
    items |> Array.collect (fun i -> dataset[i].Labels.ToSigned() |> Array.map float32)

/// Classification mAP (×100) of scores (items × labels) against ML-GCN targets: the project's one definition
/// (ClassificationMetrics: ML-GCN's AP, difficult labels skipped, classes without a positive left out).
let classification (scores: float32[]) (targets: float32[]) (items: int) =
    (ClassificationMetrics.AveragePrecision(ReadOnlySpan scores, ReadOnlySpan targets, items)).Map

/// How a trained model is scored: its codes of pool items, and (classifier heads) its label scores of pool items.
type Scorable =
    {
        Encode: int[] -> EncodedSet
        Scores: int[] -> float32[]
    }

/// Codes of queries and database, with labels and the self map, ready for `retrieval`.
let encode (model: Scorable) (dataset: IMultiLabelDataset) (queries: int[]) (database: int[]) =
    {
        Query = model.Encode queries
        QueryLabels = labelsOf dataset queries
        Database = model.Encode database
        DatabaseLabels = labelsOf dataset database
        Self = selfIndex queries database
    }

/// A record's final metrics on its test queries: the retrieval protocols on codes, `cls.map` for a classifier.
let final (e: Experiment) (threads: int) (model: Scorable) (dataset: IMultiLabelDataset) (split: RetrievalSplit) =
    match e.Head with
    | Classifier _ ->
        Map.ofList [ "cls.map", classification (model.Scores split.Query) (targetsOf dataset split.Query) split.Query.Length ]
    | Lah _
    | DchHead
    | Lsh
    | RandomCodes
    | Collapsed -> retrieval e.Evaluation.Protocols e.Evaluation.Radius threads (encode model dataset split.Query split.Database)

/// The loop's scorer for a record: the validation score that best-validation selects by (DCH MAP of the hold-out
/// against the rest of the training items, or the classifier's mAP on the hold-out) and, with `evaluation.each-epoch`,
/// the test curve (`test.map` under DCH, `test.cls-map` for a classifier).
let epochScorer
    (e: Experiment)
    (threads: int)
    (model: Scorable)
    (dataset: IMultiLabelDataset)
    (split: RetrievalSplit)
    (validation: (int[] * int[]) option)
    =
    let isClassifier =
        match e.Head with
        | Classifier _ -> true
        | Lah _
        | DchHead
        | Lsh
        | RandomCodes
        | Collapsed -> false

    let score (queries: int[]) (database: int[]) =
        if isClassifier then
            classification (model.Scores queries) (targetsOf dataset queries) queries.Length
        else
            (retrieval [ DchProtocol ] e.Evaluation.Radius threads (encode model dataset queries database))["dch.map"]

    { new Lah.Training.IEpochScorer with
        member _.Score(epoch) =
            let selection =
                match validation with
                | Some(fit, held) -> score held fit
                | None -> nan

            let metrics =
                [
                    if validation.IsSome then
                        "validation.score", selection
                    if e.Evaluation.EachEpoch then
                        (if isClassifier then "test.cls-map" else "test.map"), score split.Query split.Database
                ]
                |> Map.ofList

            Lah.Training.EpochScore(metrics, selection)
    }
