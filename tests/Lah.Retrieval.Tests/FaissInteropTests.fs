module Lah.Retrieval.Tests.FaissInteropTests

open System
open System.Diagnostics
open System.IO
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Tests.Assertions
open Lah.Retrieval.Tests.MultiIndexHashingTests

let private python =
    match Environment.GetEnvironmentVariable "LAH_PYTHON" with
    | null
    | "" -> "/usr/bin/python3"
    | p -> p

let private exec (args: string list) =
    let psi =
        ProcessStartInfo(python, RedirectStandardOutput = true, RedirectStandardError = true)

    for a in args do
        psi.ArgumentList.Add a

    try
        use p = nonNull (Process.Start psi)
        let err = p.StandardError.ReadToEndAsync()
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        p.ExitCode, out + err.Result
    with :? ComponentModel.Win32Exception as e ->
        -1, e.Message

/// Runs Fixtures/faiss_binary.py; without python3-faiss the test skips, or fails when LAH_REQUIRE_FIXTURES=1.
let private faiss (args: string list) =
    let code, out = exec [ "-c"; "import faiss, numpy" ]

    if code <> 0 then
        let reason = $"{python} cannot import faiss, numpy: {out.Trim()}"

        if Environment.GetEnvironmentVariable "LAH_REQUIRE_FIXTURES" = "1" then
            failtest $"{reason} (LAH_REQUIRE_FIXTURES=1)"
        else
            skiptest reason

    let script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "faiss_binary.py")
    let code, out = exec (script :: args)

    if code <> 0 then
        failtest $"faiss_binary.py {String.Join(' ', args)} failed ({code}): {out}"

    out

let private withTemp f =
    let dir = Directory.CreateTempSubdirectory "lah-faiss-"

    try
        f dir.FullName
    finally
        dir.Delete true

/// Raw FAISS codes (d/8 bytes each, bit j in byte j/8 at j%8) as PackedCodes, independently of the file reader.
let private codesOfBytes (bytes: byte[]) bits =
    let b = bits / 8
    let w = PackedCodes.WordsFor bits
    let n = bytes.Length / b
    let words = Array.zeroCreate<uint64>(n * w)

    for i in 0 .. n - 1 do
        for j in 0 .. b - 1 do
            words[i * w + j / 8] <- words[i * w + j / 8] ||| (uint64 bytes[i * b + j] <<< (8 * (j % 8)))

    PackedCodes.FromWords(words, n, bits)

let private readFaissResults prefix nq k =
    let d = File.ReadAllBytes(prefix + ".D.i32")
    let i = File.ReadAllBytes(prefix + ".I.i64")

    Array.init nq (fun q ->
        Array.init k (fun r -> BitConverter.ToInt64(i, 8 * (q * k + r)), BitConverter.ToInt32(d, 4 * (q * k + r))))

/// FAISS and LAH agree on one query's k-NN: the same distance at every rank, every FAISS hit is at the distance FAISS
/// reports (checked against our own distances by id), and ours is the (distance, id) order. FAISS orders equal
/// distances its own way, so ids are compared as sets within each distance.
let private agree (name: string) (ours: Neighbor[]) (theirs: (int64 * int) array) (distanceOf: int64 -> int) =
    Expect.equal (ours |> Array.map _.Distance) (theirs |> Array.map snd) $"{name}: distances by rank"

    for id, dist in theirs do
        Expect.equal (distanceOf id) dist $"{name}: FAISS's hit {id} is at distance {dist} by our count"

    let byDist (xs: (int64 * int) seq) =
        xs
        |> Seq.groupBy snd
        |> Seq.map (fun (d, g) -> d, g |> Seq.map fst |> Set.ofSeq)
        |> Map.ofSeq

    let kth =
        if ours.Length = 0 then
            -1
        else
            ours[ours.Length - 1].Distance

    let full m = m |> Map.filter (fun d _ -> d < kth)

    Expect.equal
        (full (byDist (ours |> Seq.map (fun n -> n.Id, n.Distance))))
        (full (byDist theirs))
        $"{name}: ids closer than the k-th distance"

    Expect.isTrue
        (ours
         |> Array.pairwise
         |> Array.forall (fun (a, b) -> a.Distance < b.Distance || (a.Distance = b.Distance && a.Id < b.Id)))
        $"{name}: our order is (distance, id)"

let private distances (codes: PackedCodes) (query: ReadOnlySpan<uint64>) =
    let index = FlatIndex codes
    let d = Array.zeroCreate<int> codes.Count
    index.Distances(query, Span d)
    let byId = Map.ofArray (Array.zip codes.Ids d)
    fun id -> byId[id]

[<Tests>]
let tests =
    testList
        "FAISS binary index files"
        [
            for bits, n, k in [ 64, 500, 10; 72, 300, 7; 256, 200, 20 ] do
                testCase $"read what FAISS wrote ({bits} bits): same codes, same k-NN as FAISS's search"
                <| fun () ->
                    withTemp (fun dir ->
                        let nq = 40

                        faiss [ "write"; dir; string bits; string n; string nq; string k; string bits ]
                        |> ignore

                        let queries = codesOfBytes (File.ReadAllBytes(Path.Combine(dir, "queries.u8"))) bits

                        for kind in [ "flat"; "idmap" ] do
                            let codes = FaissBinaryIndexFile.Read(Path.Combine(dir, kind + ".faiss"))
                            Expect.equal codes.Bits bits $"{kind}: bits"
                            Expect.equal codes.Count n $"{kind}: count"

                            if kind = "flat" then
                                Expect.equal codes.Ids (Array.init n int64) "flat: ids are positions"
                            else
                                Expect.notEqual codes.Ids (Array.init n int64) "idmap: FAISS's ids"

                            let ours = FlatIndex(codes).Search(queries, k)
                            let theirs = readFaissResults (Path.Combine(dir, kind)) nq k

                            for q in 0 .. nq - 1 do
                                agree $"{kind} query {q}" ours[q] theirs[q] (distances codes (queries.Code q))

                            Expect.equal ours.[0].[0].Distance 0 $"{kind}: a query equal to a code is at distance 0")

            for bits, sequential in [ 64, true; 64, false; 128, false; 24, true ] do
                let kind =
                    if sequential then
                        "positions as ids: IBxF"
                    else
                        "own ids: IBMp"

                testCase $"FAISS reads what we wrote ({bits} bits, {kind}): its k-NN is ours"
                <| fun () ->
                    withTemp (fun dir ->
                        let n, k, nq = 400, 9, 30
                        let rng = Random(bits + (if sequential then 1 else 0))
                        let src = randomCodes rng n bits

                        let ids =
                            if sequential then
                                None
                            else
                                Some(
                                    Array.init n (fun i -> 1_000_000L + 7L * int64 i)
                                    |> Array.sortBy (fun _ -> rng.Next())
                                )

                        let codes = PackedCodes.FromWords(src.Words, n, bits, Option.toObj ids)
                        let path = Path.Combine(dir, "ours.faiss")
                        FaissBinaryIndexFile.Write(path, codes)

                        let head = File.ReadAllBytes(path)[0..3] |> Text.Encoding.ASCII.GetString
                        Expect.equal head (if sequential then "IBxF" else "IBMp") "fourcc"

                        let queries = randomCodes (Random(bits * 7)) nq bits
                        let qbytes = Path.Combine(dir, "q.u8")

                        File.WriteAllBytes(
                            qbytes,
                            [|
                                let w = queries.WordsPerCode

                                for i in 0 .. nq - 1 do
                                    for j in 0 .. bits / 8 - 1 do
                                        byte (queries.Words[i * w + j / 8] >>> (8 * (j % 8)))
                            |]
                        )

                        let out = faiss [ "search"; path; qbytes; string k; Path.Combine(dir, "r") ]
                        Expect.equal (out.Trim()) (string n) "FAISS's ntotal"
                        let theirs = readFaissResults (Path.Combine(dir, "r")) nq k
                        let ours = FlatIndex(codes).Search(queries, k)

                        for q in 0 .. nq - 1 do
                            agree $"query {q}" ours[q] theirs[q] (distances codes (queries.Code q))

                        let back = FaissBinaryIndexFile.Read path
                        Expect.equal back.Words codes.Words "round trip: words"
                        Expect.equal back.Ids codes.Ids "round trip: ids")

            testCase "truncated, foreign or inconsistent files give an error naming the file and the field"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "x.faiss")
                    let codes = randomCodes (Random 5) 10 64
                    FaissBinaryIndexFile.Write(path, codes)
                    let good = File.ReadAllBytes path

                    let expectBad (bytes: byte[]) (field: string) =
                        File.WriteAllBytes(path, bytes)

                        let e =
                            throws<InvalidDataException>(fun () -> FaissBinaryIndexFile.Read path |> ignore)

                        Expect.stringContains e.Message path "names the file"
                        Expect.stringContains e.Message field $"names {field}"

                    expectBad good[.. good.Length - 5] "xb"
                    expectBad good[..10] "code_size"
                    expectBad (Array.append "IxF2"B good[4..]) "fourcc"
                    let wrongSize = Array.copy good
                    wrongSize[8] <- 9uy
                    expectBad wrongSize "code_size"
                    let wrongD = Array.copy good
                    wrongD[4] <- 12uy
                    expectBad wrongD "d is 12"
                    expectBad (Array.append good [| 0uy |]) "trailing"

                    let missing = Path.Combine(dir, "absent.faiss")

                    let e =
                        throws<FileNotFoundException>(fun () -> FaissBinaryIndexFile.Read missing |> ignore)

                    Expect.stringContains e.Message missing "names the missing file")
        ]
