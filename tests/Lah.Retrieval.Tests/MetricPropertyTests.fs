module Lah.Retrieval.Tests.MetricPropertyTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Lah.Retrieval
open Lah.Retrieval.Metrics

let config = Config.QuickThrowOnFailure.WithMaxTest 40

let randomLabels (rng: Random) rows labels =
    Array.init (rows * labels) (fun _ -> if rng.Next 4 = 0 then 1.0f else 0.0f)

let in01 (what: string) (v: float) =
    if Double.IsNaN v then
        true
    elif v < 0.0 || v > 1.0 + 1e-12 then
        failwithf "%s = %g outside [0,1]" what v
    else
        true

[<Fact>]
let ``every retrieval metric lies in 0..1 and classification mAP in 0..100`` () =
    Check.One(
        config,
        fun (seed: int) (n: byte) ->
            let rng = Random seed
            let bits = 16
            let nq = int n % 20 + 1
            let nd = int n % 60 + 5
            let q = SearchTests.clusteredCodes rng nq bits None
            let db = SearchTests.clusteredCodes rng nd bits None
            let qOut = Array.init (nq * bits) (fun _ -> float32 (rng.NextDouble() - 0.5))
            let dbOut = Array.init (nd * bits) (fun _ -> float32 (rng.NextDouble() - 0.5))
            let ql = MultiHot.FromFloats(ReadOnlySpan(randomLabels rng nq 5), nq, "q")
            let dl = MultiHot.FromFloats(ReadOnlySpan(randomLabels rng nd 5), nd, "db")
            let dch = RetrievalMetrics.Dch(q, qOut, ql, db, dbOut, dl, 2, 1)
            let lah = RetrievalMetrics.LahOfficial(db, dl, 2, 1)
            let top = RetrievalMetrics.TopKMap(q, ql, db, dl, 10, 1)
            let byR = RetrievalMetrics.PrecisionRecallByRadius(q, ql, db, dl, 1)
            let byK = RetrievalMetrics.PrecisionRecallByTopK(q, ql, db, dl, [| 1; 5; 100 |], 1)
            let scores = Array.init (nd * 3) (fun _ -> float32 (rng.Next 4))
            let targets = Array.init (nd * 3) (fun _ -> float32 (rng.Next 3 - 1))

            let cls =
                ClassificationMetrics.AveragePrecision(ReadOnlySpan scores, ReadOnlySpan targets, nd)

            let all =
                [
                    yield! [ dch.Precision; dch.Recall; dch.Map ]
                    yield! dch.QueryAp
                    yield! dch.QueryPrecision
                    yield! dch.QueryRecall
                    yield! [ lah.Map1; lah.Map2; lah.Precision; lah.Recall ]
                    yield! lah.QueryMap1
                    yield! lah.QueryRecall
                    yield! top.QueryAp
                    yield! byR.Precision
                    yield! byR.Recall
                    yield! byK.Precision
                    yield! byK.Recall
                    yield! cls.ClassAp
                    yield cls.Map / 100.0
                ]

            all |> List.forall (in01 "metric")
            // Recall reaches 1 at the largest radius for any query with something relevant.
            && (byR.Recall[bits] <= 1.0)
    )

[<Fact>]
let ``an identical relevant item at index 0 is ranked first: precision at 1 is 1`` () =
    Check.One(
        config,
        fun (seed: int) (n: byte) ->
            let rng = Random seed
            let bits = 32
            let nd = int n % 50 + 2
            let db = SearchTests.clusteredCodes rng nd bits None
            let dl = randomLabels rng nd 4
            dl[0] <- 1.0f
            let q = db.Select(ReadOnlySpan [| 0 |])
            let ql = MultiHot.FromFloats(ReadOnlySpan [| 1.0f; 0.0f; 0.0f; 0.0f |], 1, "q")
            let dlh = MultiHot.FromFloats(ReadOnlySpan dl, nd, "db")
            let byK = RetrievalMetrics.PrecisionRecallByTopK(q, ql, db, dlh, [| 1 |], 1)
            let top1 = RetrievalMetrics.TopKMap(q, ql, db, dlh, 1, 1)
            byK.Precision[0] = 1.0 && top1.Map = 1.0
    )

[<Fact>]
let ``the audit keeps only queries above the threshold, at most pool, and re-scores inside them`` () =
    let rng = Random 11
    let n = 120
    let codes = SearchTests.clusteredCodes rng n 16 None
    let labels = MultiHot.FromFloats(ReadOnlySpan(randomLabels rng n 6), n, "labels")
    let audit = RetrievalMetrics.LahOfficialAudit(codes, labels, 30)
    Assert.True(audit.Selected.Length <= 30)
    Assert.NotEmpty(audit.Selected)

    for i in audit.Selected do
        Assert.True(audit.Full.QueryMap2[i] > RetrievalMetrics.AuditThreshold)

    // Sorted by mAP2 descending: nothing left out beats anything kept.
    let worstKept =
        audit.Selected |> Array.map (fun i -> audit.Full.QueryMap2[i]) |> Array.min

    for i in 0 .. n - 1 do
        if
            not (Array.contains i audit.Selected)
            && not (Double.IsNaN audit.Full.QueryMap2[i])
        then
            Assert.True(audit.Full.QueryMap2[i] <= worstKept)

    let direct =
        RetrievalMetrics.LahOfficial(
            codes.Select(ReadOnlySpan audit.Selected),
            labels.Select(ReadOnlySpan audit.Selected)
        )

    Assert.Equal(direct.Map2, audit.Subset.Map2)
    Assert.Equal(audit.Selected.Length, audit.Subset.QueryMap2.Length)
