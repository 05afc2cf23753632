module Lah.Retrieval.Tests.MetricGoldenTests

open System
open Xunit
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
    Assert.Equal(expected.Length, actual.Length)
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

[<Fact>]
let ``DCH precision, recall and AP within radius 2 match every golden`` () =
    forEachCase (fun c ->
        let radius = int c.File.Metadata["radius"]

        let r =
            RetrievalMetrics.Dch(c.QCodes, c.QOut, c.QLabels, c.DbCodes, c.DbOut, c.DbLabels, radius)

        closeAll c.Name "dch.precision" (c.File.ReadFloat64 "expected.dch.precision") r.QueryPrecision
        closeAll c.Name "dch.recall" (c.File.ReadFloat64 "expected.dch.recall") r.QueryRecall
        closeAll c.Name "dch.ap" (c.File.ReadFloat64 "expected.dch.ap") r.QueryAp
        closeAll c.Name "dch.mean" (c.File.ReadFloat64 "expected.dch.mean") [| r.Precision; r.Recall; r.Map |])

[<Fact>]
let ``DCH gives the same values on one thread and on all cores`` () =
    forEachCase (fun c ->
        let a =
            RetrievalMetrics.Dch(c.QCodes, c.QOut, c.QLabels, c.DbCodes, c.DbOut, c.DbLabels, 2, 1)

        let b =
            RetrievalMetrics.Dch(c.QCodes, c.QOut, c.QLabels, c.DbCodes, c.DbOut, c.DbLabels, 2, 0)

        let bits (v: float[]) =
            v |> Array.map BitConverter.DoubleToInt64Bits

        Assert.Equal<int64[]>(bits a.QueryAp, bits b.QueryAp)
        Assert.Equal<int64[]>(bits a.QueryPrecision, bits b.QueryPrecision))

[<Fact>]
let ``official LAH per-query protocol matches every golden`` () =
    forEachCase (fun c ->
        let r =
            RetrievalMetrics.LahOfficial(c.DbCodes, c.DbLabels, int c.File.Metadata["radius"])

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

[<Fact>]
let ``mAP at top K matches every golden`` () =
    forEachCase (fun c ->
        let r =
            RetrievalMetrics.TopKMap(c.QCodes, c.QLabels, c.DbCodes, c.DbLabels, int c.File.Metadata["topk"])

        closeAll c.Name "topk.ap" (c.File.ReadFloat64 "expected.topk.ap") r.QueryAp
        closeAll c.Name "topk.map" (c.File.ReadFloat64 "expected.topk.map") [| r.Map |])

[<Fact>]
let ``classification AP and mAP match every golden`` () =
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
