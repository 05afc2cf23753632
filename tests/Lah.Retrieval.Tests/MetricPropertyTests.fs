module Lah.Retrieval.Tests.MetricPropertyTests

open System
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Kernels
open Lah.Retrieval.Metrics
open Lah.Retrieval.Tests.Assertions

let randomLabels (rng: Random) rows labels =
    Array.init (rows * labels) (fun _ -> if rng.Next 4 = 0 then 1.0f else 0.0f)

let in01 (what: string) (v: float) =
    if Double.IsNaN v then
        true
    elif v < 0.0 || v > 1.0 + 1e-12 then
        failwithf "%s = %g outside [0,1]" what v
    else
        true

/// DCH straight from the definition (goldens README), pair by pair: the reference for the bitmap/ball version.
let naiveDch
    (q: PackedCodes)
    (qOut: float32[])
    (ql: float32[])
    (db: PackedCodes)
    (dbOut: float32[])
    (dl: float32[])
    labels
    =
    let k = q.Bits

    let rel i j =
        Seq.exists (fun t -> ql[i * labels + t] > 0.0f && dl[j * labels + t] > 0.0f) [ 0 .. labels - 1 ]

    let ip i j =
        Seq.sum (seq { for t in 0 .. k - 1 -> float qOut[i * k + t] * float dbOut[j * k + t] })

    Array.init q.Count (fun i ->
        let ball =
            [|
                for j in 0 .. db.Count - 1 do
                    if Hamming.Distance(q.Code i, db.Code j) <= 2 then
                        yield j
            |]
            |> Array.sortBy (fun j -> -ip i j, j)

        let relDb = Seq.filter (rel i) [ 0 .. db.Count - 1 ] |> Seq.length

        if ball.Length = 0 then
            0.0, 0.0, 0.0
        else
            let hits = ball |> Array.filter (rel i) |> Array.length

            let ap =
                if hits = 0 then
                    nan
                else
                    let mutable h = 0

                    (ball
                     |> Array.mapi (fun pos j ->
                         if rel i j then
                             h <- h + 1
                             float h / float (pos + 1)
                         else
                             0.0)
                     |> Array.sum)
                    / float hits

            float hits / float ball.Length, (if relDb = 0 then 0.0 else float hits / float relDb), ap)

let sameFloats (what: string) (expected: float[]) (actual: float[]) =
    Expect.equal actual.Length expected.Length what

    Array.iteri2
        (fun i (e: float) (a: float) ->
            if not ((Double.IsNaN e && Double.IsNaN a) || abs (e - a) <= 1e-12) then
                failtestf "%s[%d]: expected %.17g, got %.17g" what i e a)
        expected
        actual

[<Tests>]
let tests =
    testList
        "MetricProperties"
        [
            testPropertyWithConfig (fsConfig 40) "every retrieval metric lies in 0..1 and classification mAP in 0..100"
            <| fun (seed: int) (n: byte) ->
                let rng = Random seed
                let bits = 16
                let nq = int n % 20 + 1
                let nd = int n % 60 + 5
                let q = SearchTests.clusteredCodes rng nq bits None
                let db = SearchTests.clusteredCodes rng nd bits None
                let qOut = Array.init (nq * bits) (fun _ -> float32 (rng.NextDouble() - 0.5))
                let dbOut = Array.init (nd * bits) (fun _ -> float32 (rng.NextDouble() - 0.5))
                let qlf = randomLabels rng nq 5
                let dlf = randomLabels rng nd 5
                let ql = MultiHot.FromFloats(ReadOnlySpan qlf, nq, "q")
                let dl = MultiHot.FromFloats(ReadOnlySpan dlf, nd, "db")
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

                // Recall reaches 1 at the largest radius for every query with something relevant (and is 0 for the
                // others), so its mean there is the share of queries with something relevant.
                let withRelevant =
                    Seq.filter
                        (fun i ->
                            Seq.exists
                                (fun j ->
                                    Seq.exists (fun t -> qlf[i * 5 + t] > 0.0f && dlf[j * 5 + t] > 0.0f) [ 0..4 ])
                                [ 0 .. nd - 1 ])
                        [ 0 .. nq - 1 ]
                    |> Seq.length

                all |> List.forall (in01 "metric")
                && abs (byR.Recall[bits] - float withRelevant / float nq) <= 1e-12

            testPropertyWithConfig (fsConfig 40) "DCH equals its definition computed pair by pair"
            <| fun (seed: int) (n: byte) ->
                let rng = Random seed
                let bits = 16
                let nq = int n % 15 + 1
                let nd = int n % 50 + 5
                let q = SearchTests.clusteredCodes rng nq bits None
                let db = SearchTests.clusteredCodes rng nd bits None
                let qOut = Array.init (nq * bits) (fun _ -> float32 (rng.NextDouble() - 0.5))
                let dbOut = Array.init (nd * bits) (fun _ -> float32 (rng.NextDouble() - 0.5))
                let qlf = randomLabels rng nq 5
                let dlf = randomLabels rng nd 5
                let ql = MultiHot.FromFloats(ReadOnlySpan qlf, nq, "q")
                let dl = MultiHot.FromFloats(ReadOnlySpan dlf, nd, "db")
                let expected = naiveDch q qOut qlf db dbOut dlf 5
                let r = RetrievalMetrics.Dch(q, qOut, ql, db, dbOut, dl, 2, 2)
                sameFloats "P" (expected |> Array.map (fun (p, _, _) -> p)) r.QueryPrecision
                sameFloats "R" (expected |> Array.map (fun (_, r, _) -> r)) r.QueryRecall
                sameFloats "AP" (expected |> Array.map (fun (_, _, a) -> a)) r.QueryAp
                true

            testPropertyWithConfig
                (fsConfig 40)
                "with codes only, both ball rankings order by distance then index and give the same AP"
            <| fun (seed: int) (n: byte) ->
                let rng = Random seed
                let bits = 16
                let nq = int n % 15 + 1
                let nd = int n % 50 + 5
                let q = SearchTests.clusteredCodes rng nq bits None
                let db = SearchTests.clusteredCodes rng nd bits None
                let ql = MultiHot.FromFloats(ReadOnlySpan(randomLabels rng nq 5), nq, "q")
                let dl = MultiHot.FromFloats(ReadOnlySpan(randomLabels rng nd 5), nd, "db")

                let a =
                    RetrievalMetrics.Dch(q, null, ql, db, null, dl, 2, 1, DchBallRanking.InnerProduct)

                let b =
                    RetrievalMetrics.Dch(q, null, ql, db, null, dl, 2, 1, DchBallRanking.HammingFirst)
                // ±1 codes: inner product = K − 2·distance, the same order as distance.
                let qs = q.ToSigns()
                let ds = db.ToSigns()

                let c =
                    RetrievalMetrics.Dch(q, qs, ql, db, ds, dl, 2, 1, DchBallRanking.InnerProduct)

                sameFloats "AP, HammingFirst vs InnerProduct" a.QueryAp b.QueryAp
                sameFloats "AP, ±1 outputs vs none" a.QueryAp c.QueryAp
                true

            testPropertyWithConfig
                (fsConfig 40)
                "an identical relevant item at index 0 is ranked first: precision at 1 is 1"
            <| fun (seed: int) (n: byte) ->
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

            testCase "the audit keeps only queries above the threshold, at most pool, and re-scores inside them"
            <| fun () ->
                let rng = Random 11
                let n = 120
                let codes = SearchTests.clusteredCodes rng n 16 None
                let labels = MultiHot.FromFloats(ReadOnlySpan(randomLabels rng n 6), n, "labels")
                let audit = RetrievalMetrics.LahOfficialAudit(codes, labels, 30)
                Expect.isLessThanOrEqual audit.Selected.Length 30 "at most pool"
                Expect.isNonEmpty audit.Selected "something selected"

                for i in audit.Selected do
                    Expect.isGreaterThan audit.Full.QueryMap2[i] RetrievalMetrics.AuditThreshold $"query {i} kept"

                // Sorted by mAP2 descending: nothing left out beats anything kept.
                let worstKept =
                    audit.Selected |> Array.map (fun i -> audit.Full.QueryMap2[i]) |> Array.min

                for i in 0 .. n - 1 do
                    if
                        not (Array.contains i audit.Selected)
                        && not (Double.IsNaN audit.Full.QueryMap2[i])
                    then
                        Expect.isLessThanOrEqual audit.Full.QueryMap2[i] worstKept $"query {i} left out"

                let direct =
                    RetrievalMetrics.LahOfficial(
                        codes.Select(ReadOnlySpan audit.Selected),
                        labels.Select(ReadOnlySpan audit.Selected)
                    )

                Expect.equal audit.Subset.Map2 direct.Map2 "subset mAP2"
                Expect.equal audit.Subset.QueryMap2.Length audit.Selected.Length "subset size"

            // Five 8-bit codes, labels A/B, radius 2. Distances: d(0,1)=1, d(0,2)=2, d(1,2)=1, d(3,4)=1, all
            // other pairs ≥ 4. Leave-one-out: query 0 (A) retrieves [1 (A), 2 (B)] → mAP1 1, mAP2 (1/1)/2 = 0.5,
            // P 1/2, R 1/3 (0, 1 and 4 carry A, the query counted). Query 1 (A) retrieves 0 (A) and 2 (B), both at
            // distance 1: the shared label ranks 0 first → the same values. Queries 2, 3 and 4 retrieve nothing
            // relevant: dropped. Inside {0, 1} each retrieves the other: mAP2 1, R 1/2.
            testCase "the audit on a hand-computed case: selection by mAP2, ties by index, strict threshold, re-score"
            <| fun () ->
                let codes =
                    PackedCodes.FromWords([| 0x00UL; 0x01UL; 0x03UL; 0xF0UL; 0xF1UL |], 5, 8)

                let labels =
                    MultiHot.FromFloats(ReadOnlySpan [| 1f; 0f; 1f; 0f; 0f; 1f; 0f; 1f; 1f; 0f |], 5, "labels")

                let full = RetrievalMetrics.LahOfficial(codes, labels)
                sameFloats "full mAP1" [| 1.0; 1.0; nan; nan; nan |] full.QueryMap1
                sameFloats "full mAP2" [| 0.5; 0.5; nan; nan; nan |] full.QueryMap2
                sameFloats "full P" [| 0.5; 0.5; nan; nan; nan |] full.QueryPrecision
                sameFloats "full R" [| 1.0 / 3.0; 1.0 / 3.0; nan; nan; nan |] full.QueryRecall
                Expect.equal full.KeptQueries 2 "kept queries"

                let both = RetrievalMetrics.LahOfficialAudit(codes, labels, 2)
                Expect.equal both.Selected [| 0; 1 |] "pool 2"
                sameFloats "subset mAP2" [| 1.0; 1.0 |] both.Subset.QueryMap2
                sameFloats "subset R" [| 0.5; 0.5 |] both.Subset.QueryRecall
                Expect.equal both.Subset.Map2 1.0 "subset mean mAP2: the selection doubles the full 0.5"
                Expect.equal both.Full.Map2 0.5 "full mean mAP2"

                let one = RetrievalMetrics.LahOfficialAudit(codes, labels, 1)
                Expect.equal one.Selected [| 0 |] "pool 1: the tie at 0.5 goes to the lower index"
                Expect.equal one.Subset.KeptQueries 0 "a lone query retrieves nothing"

                let strict = RetrievalMetrics.LahOfficialAudit(codes, labels, 5, 0.5)
                Expect.isEmpty strict.Selected "mAP2 must exceed the threshold, not equal it"
        ]
