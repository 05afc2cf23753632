module Lah.Retrieval.Tests.IndexFileTests

open System
open System.IO
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Tests.Assertions
open Lah.Retrieval.Tests.MultiIndexHashingTests

let private withTemp f =
    let dir = Directory.CreateTempSubdirectory "lah-retrieval-"

    try
        f dir.FullName
    finally
        dir.Delete true

[<Tests>]
let tests =
    testList
        "IndexFile"
        [
            testCase "index files round-trip codes and ids"
            <| fun () ->
                withTemp (fun dir ->
                    for bits in [ 8; 64; 72; 128; 1024 ] do
                        let src = randomCodes (Random bits) 37 bits

                        let codes =
                            PackedCodes.FromWords(
                                Array.copy src.Words,
                                37,
                                bits,
                                Array.init 37 (fun i -> int64 (1000 - 3 * i))
                            )

                        let path = Path.Combine(dir, $"codes{bits}.lahidx")
                        IndexFile.Write(path, codes)
                        Expect.equal (FileInfo(path).Length) (IndexFile.FileLength(bits, 37L)) "file length"
                        let back = IndexFile.Read path
                        Expect.equal back.Bits bits "bits"
                        Expect.equal back.Words codes.Words "words"
                        Expect.equal back.Ids codes.Ids "ids"

                    Expect.isEmpty (Directory.GetFiles(dir, "*.tmp")) "temporary files")

            testCase "writing replaces an existing index and leaves no temporary file"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "x.lahidx")
                    IndexFile.Write(path, randomCodes (Random 1) 10 64)
                    IndexFile.Write(path, randomCodes (Random 2) 4 16)
                    Expect.equal (IndexFile.Read path).Count 4 "count"
                    Expect.equal (Directory.GetFiles dir) [| path |] "files")

            testCase "truncated, corrupt or foreign files give an error naming the file and the field"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "x.lahidx")
                    IndexFile.Write(path, randomCodes (Random 3) 20 64)
                    let good = File.ReadAllBytes path

                    let expectError (bytes: byte[]) (fragment: string) =
                        File.WriteAllBytes(path, bytes)
                        let e = throws<InvalidDataException>(fun () -> IndexFile.Read path |> ignore)
                        Expect.stringContains e.Message path "names the file"
                        Expect.stringContains e.Message fragment "names the field"

                        let m = throws<InvalidDataException>(fun () -> MappedIndex.Open path |> ignore)

                        Expect.equal m.Message e.Message "mapped and read errors agree"

                    expectError good[.. good.Length - 9] "truncated"
                    expectError good[..10] "shorter than"
                    let flipped = Array.copy good
                    flipped[200] <- flipped[200] ^^^ 4uy
                    expectError flipped "checksum"
                    let foreign = Array.copy good
                    foreign[0] <- byte 'X'
                    expectError foreign "magic"
                    let version = Array.copy good
                    version[8] <- 9uy
                    expectError version "version is 9"
                    let k = Array.copy good
                    k[12] <- 12uy
                    expectError k "K is 12"
                    expectError [||] "shorter than"

                    throws<FileNotFoundException>(fun () -> IndexFile.Read(Path.Combine(dir, "none")) |> ignore)
                    |> ignore)

            testCase "a padding bit set in a stored code is refused naming the code"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "x.lahidx")
                    IndexFile.Write(path, randomCodes (Random 4) 5 72)
                    let bytes = File.ReadAllBytes path
                    // code 3's second word starts at 32 + 5·8 + 3·16 + 8; bit 9 of that word is bit 73 of the code
                    bytes[32 + 40 + 48 + 8 + 1] <- bytes[32 + 40 + 48 + 8 + 1] ||| 2uy
                    File.WriteAllBytes(path, bytes)

                    let e =
                        throws<InvalidDataException>(fun () ->
                            MappedIndex.Open(path, verifyChecksum = false) |> ignore)

                    Expect.stringContains e.Message "code 3 has bits set above bit 71" "message")

            testCase "a mapped index file searches exactly like a flat index over the same codes"
            <| fun () ->
                withTemp (fun dir ->
                    for bits in [ 16; 64; 72; 128; 1024 ] do
                        let rng = Random(bits + 1)
                        let plain = randomCodes rng 700 bits
                        let ids = Array.init 700 (fun i -> int64 ((i * 7919) % 700))
                        let codes = PackedCodes.FromWords(Array.copy plain.Words, 700, bits, ids)
                        let queries = randomCodes rng 40 bits
                        let path = Path.Combine(dir, $"m{bits}.lahidx")
                        IndexFile.Write(path, codes)
                        let flat = FlatIndex codes
                        use mapped = MappedIndex.Open path
                        Expect.equal mapped.Bits bits "bits"
                        Expect.equal mapped.Count 700 "count"
                        Expect.isTrue (mapped.Ids.SequenceEqual(ReadOnlySpan ids)) "ids"
                        Expect.isTrue (mapped.Words.SequenceEqual(ReadOnlySpan codes.Words)) "words"
                        Expect.equal (mapped.ToPackedCodes().Words) codes.Words "packed words"

                        for radius in [ 0; 2; bits / 4 ] do
                            let want = flat.RadiusSearch(queries, radius)
                            let got = mapped.RadiusSearch(queries, radius, 2)

                            for q in 0 .. queries.Count - 1 do
                                Expect.equal got[q] want[q] $"query {q}"
                                Expect.equal (mapped.RadiusSearch(queries.Code q, radius)) want[q] $"single query {q}"

                        let want = flat.Search(queries, 25)
                        let got = mapped.Search(queries, 25)

                        for q in 0 .. queries.Count - 1 do
                            Expect.equal got[q] want[q] $"query {q}"
                            Expect.equal (mapped.Search(queries.Code q, 25)) want[q] $"single query {q}")

            testCase "a disposed mapped index refuses searches instead of reading unmapped memory"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "d.lahidx")
                    let codes = randomCodes (Random 9) 50 64
                    IndexFile.Write(path, codes)
                    let mapped = MappedIndex.Open path
                    mapped.Dispose()
                    mapped.Dispose()

                    throws<ObjectDisposedException>(fun () -> mapped.Search(codes.Code 0, 3) |> ignore)
                    |> ignore

                    throws<ObjectDisposedException>(fun () -> mapped.Ids.Length |> ignore) |> ignore
                    // Unmapped, the file can be replaced.
                    IndexFile.Write(path, randomCodes (Random 10) 5 64)
                    use again = MappedIndex.Open path
                    Expect.equal again.Count 5 "count")

            testCase "a file without labels is version 1, byte for byte the version-1 layout, and reads with no labels"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "v1.lahidx")
                    let codes = randomCodes (Random 11) 9 24
                    IndexFile.Write(path, codes)
                    let bytes = File.ReadAllBytes path
                    Expect.equal (BitConverter.ToUInt32(bytes, 8)) 1u "version 1"
                    Expect.equal (BitConverter.ToUInt64(bytes, 24)) 0UL "reserved word zero"
                    Expect.equal (int64 bytes.Length) (IndexFile.FileLength(24, 9L)) "length"
                    Expect.equal (IndexFile.Read path).Words codes.Words "codes"
                    Expect.isNull (IndexFile.ReadLabels path) "no labels")

            for labels in [ 3; 64; 70 ] do
                testCase $"labels and their names round-trip in a version-2 file ({labels} labels)"
                <| fun () ->
                    withTemp (fun dir ->
                        let rng = Random labels
                        let n = 13
                        let codes = randomCodes rng n 40

                        let multiHot =
                            Array.init (n * labels) (fun _ -> if rng.NextDouble() < 0.3 then 1.0f else 0.0f)

                        let names = Array.init labels (fun j -> $"label {j} é")
                        let path = Path.Combine(dir, "v2.lahidx")
                        IndexFile.Write(path, codes, IndexLabels(names, ReadOnlySpan multiHot, n))
                        let bytes = File.ReadAllBytes path
                        Expect.equal (BitConverter.ToUInt32(bytes, 8)) 2u "version 2"
                        let back = IndexFile.Read path
                        Expect.equal back.Words codes.Words "codes"
                        Expect.equal back.Ids codes.Ids "ids"
                        let l = IndexFile.ReadLabels path
                        Expect.equal (List.ofSeq l.Names) (List.ofArray names) "names"
                        Expect.equal (l.Rows.ToFloats()) multiHot "rows"

                        // The checksum covers the labels: one flipped label bit is a corrupt file.
                        let at = IndexFile.HeaderBytes + 8 * n + 8 * n * PackedCodes.WordsFor 40
                        bytes[at] <- bytes[at] ^^^ 1uy
                        File.WriteAllBytes(path, bytes)
                        let e = throws<InvalidDataException>(fun () -> IndexFile.ReadLabels path |> ignore)
                        Expect.stringContains e.Message "checksum" "names the checksum"
                        Expect.stringContains e.Message path "names the file")

            testCase "labels without names are stored and read back with no names"
            <| fun () ->
                withTemp (fun dir ->
                    let path = Path.Combine(dir, "nonames.lahidx")
                    let codes = randomCodes (Random 5) 4 16

                    IndexFile.Write(
                        path,
                        codes,
                        IndexLabels([||], ReadOnlySpan [| 1.0f; 0.0f; 0.0f; 1.0f; 1.0f; 1.0f; 0.0f; 0.0f |], 4)
                    )

                    let l = IndexFile.ReadLabels path
                    Expect.isEmpty l.Names "no names"
                    Expect.equal l.Rows.Labels 2 "two labels")
        ]
