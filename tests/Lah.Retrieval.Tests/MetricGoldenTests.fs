module Lah.Retrieval.Tests.MetricGoldenTests

open System
open Expecto
open Lah.Torch.Serialization
open Lah.Retrieval
open Lah.Retrieval.Metrics

let tol = 1e-9

let close (case: string) (what: string) (expected: float) (actual: float) =
    let ok =
        (Double.IsNaN expected && Double.IsNaN actual) || abs (expected - actual) <= tol

    if not ok then
        failwithf "%s %s: expected %.17g, got %.17g" case what expected actual

let closeAll case what (expected: float[]) (actual: float[]) =
    Expect.equal actual.Length expected.Length $"{case} {what}: length"
    Array.iteri2 (fun i e a -> close case (sprintf "%s[%d]" what i) e a) expected actual

type Case =
    {
        Name: string
        File: SafeTensorsFile
        QCodes: PackedCodes
        QOut: float32[]
        QLabels: MultiHot
        DbCodes: PackedCodes
        DbOut: float32[]
        DbLabels: MultiHot
    }

let load path =
    let f = SafeTensorsFile.Open path
    let k = Goldens.cols f "input.query_codes"
    let nq = Goldens.rows f "input.query_codes"
    let nd = Goldens.rows f "input.db_codes"

    {
        Name = nonNull (IO.Path.GetFileName(path: string))
        File = f
        QCodes = PackedCodes.FromSigns(ReadOnlySpan(f.ReadFloat32 "input.query_codes"), nq, k, null)
        QOut = f.ReadFloat32 "input.query_outputs"
        QLabels = MultiHot.FromFloats(ReadOnlySpan(f.ReadFloat32 "input.query_labels"), nq, "query_labels")
        DbCodes = PackedCodes.FromSigns(ReadOnlySpan(f.ReadFloat32 "input.db_codes"), nd, k, null)
        DbOut = f.ReadFloat32 "input.db_outputs"
        DbLabels = MultiHot.FromFloats(ReadOnlySpan(f.ReadFloat32 "input.db_labels"), nd, "db_labels")
    }

let forEachCase (check: Case -> unit) =
    let files = Goldens.files "metrics_"

    for path in files do
        let c = load path

        try
            check c
        finally
            c.File.Dispose()

let radiusOf (c: Case) = int c.File.Metadata["radius"]

[<Tests>]
let tests =
    testList
        "MetricGoldens"
        [
            testCase "DCH precision, recall and AP within radius 2, ranked as DCH's code ranks, match every golden"
            <| fun () ->
                forEachCase (fun c ->
                    let r =
                        RetrievalMetrics.Dch(c.QCodes, c.QOut, c.QLabels, c.DbCodes, c.DbOut, c.DbLabels, radiusOf c)

                    closeAll c.Name "dch.precision" (c.File.ReadFloat64 "expected.dch.precision") r.QueryPrecision
                    closeAll c.Name "dch.recall" (c.File.ReadFloat64 "expected.dch.recall") r.QueryRecall
                    closeAll c.Name "dch.ap" (c.File.ReadFloat64 "expected.dch.ap") r.QueryAp

                    closeAll
                        c.Name
                        "dch.mean"
                        (c.File.ReadFloat64 "expected.dch.mean")
                        [| r.Precision; r.Recall; r.Map |])

            testCase "DCH with the ball ranked by Hamming distance first matches every dch_hamming_first golden"
            <| fun () ->
                forEachCase (fun c ->
                    let r =
                        RetrievalMetrics.Dch(
                            c.QCodes,
                            c.QOut,
                            c.QLabels,
                            c.DbCodes,
                            c.DbOut,
                            c.DbLabels,
                            radiusOf c,
                            ranking = DchBallRanking.HammingFirst
                        )

                    closeAll
                        c.Name
                        "dch_hamming_first.ap"
                        (c.File.ReadFloat64 "expected.dch_hamming_first.ap")
                        r.QueryAp

                    closeAll
                        c.Name
                        "dch_hamming_first.mean"
                        (c.File.ReadFloat64 "expected.dch_hamming_first.mean")
                        [| r.Precision; r.Recall; r.Map |])

            testCase "the two ball rankings disagree on some golden, so each golden check can tell them apart"
            <| fun () ->
                let differ = ref false

                forEachCase (fun c ->
                    let a = c.File.ReadFloat64 "expected.dch.ap"
                    let b = c.File.ReadFloat64 "expected.dch_hamming_first.ap"

                    if Array.exists2 (fun x y -> not (Double.IsNaN x) && abs (x - y) > tol) a b then
                        differ.Value <- true)

                Expect.isTrue differ.Value "expected.dch.ap equals expected.dch_hamming_first.ap in every case"

            testCase "DCH gives the same values on one thread and on all cores"
            <| fun () ->
                forEachCase (fun c ->
                    let a =
                        RetrievalMetrics.Dch(c.QCodes, c.QOut, c.QLabels, c.DbCodes, c.DbOut, c.DbLabels, 2, 1)

                    let b =
                        RetrievalMetrics.Dch(c.QCodes, c.QOut, c.QLabels, c.DbCodes, c.DbOut, c.DbLabels, 2, 0)

                    let bits (v: float[]) =
                        v |> Array.map BitConverter.DoubleToInt64Bits

                    Expect.equal (bits b.QueryAp) (bits a.QueryAp) c.Name
                    Expect.equal (bits b.QueryPrecision) (bits a.QueryPrecision) c.Name)

            testCase "official LAH per-query protocol matches every golden"
            <| fun () ->
                forEachCase (fun c ->
                    let r = RetrievalMetrics.LahOfficial(c.DbCodes, c.DbLabels, radiusOf c)
                    let expected = c.File.ReadFloat64 "expected.lahof.per_query"

                    let col j =
                        Array.init c.DbCodes.Count (fun i -> expected[i * 4 + j])

                    closeAll c.Name "lahof.mAP1" (col 0) r.QueryMap1
                    closeAll c.Name "lahof.mAP2" (col 1) r.QueryMap2
                    closeAll c.Name "lahof.P" (col 2) r.QueryPrecision
                    closeAll c.Name "lahof.R" (col 3) r.QueryRecall

                    closeAll
                        c.Name
                        "lahof.mean"
                        (c.File.ReadFloat64 "expected.lahof.mean")
                        [| r.Map1; r.Map2; r.Precision; r.Recall |])

            testCase "mAP at top K matches every golden"
            <| fun () ->
                forEachCase (fun c ->
                    let r =
                        RetrievalMetrics.TopKMap(
                            c.QCodes,
                            c.QLabels,
                            c.DbCodes,
                            c.DbLabels,
                            int c.File.Metadata["topk"]
                        )

                    closeAll c.Name "topk.ap" (c.File.ReadFloat64 "expected.topk.ap") r.QueryAp
                    closeAll c.Name "topk.map" (c.File.ReadFloat64 "expected.topk.map") [| r.Map |])

            testCase "classification AP and mAP match every golden"
            <| fun () ->
                forEachCase (fun c ->
                    let scores = c.File.ReadFloat32 "input.cls_scores"
                    let targets = c.File.ReadFloat32 "input.cls_targets"

                    let r =
                        ClassificationMetrics.AveragePrecision(
                            ReadOnlySpan scores,
                            ReadOnlySpan targets,
                            Goldens.rows c.File "input.cls_scores"
                        )

                    closeAll c.Name "cls.ap" (c.File.ReadFloat64 "expected.cls.ap") r.ClassAp
                    closeAll c.Name "cls.map" (c.File.ReadFloat64 "expected.cls.map") [| r.Map |])
        ]
