module Lah.Retrieval.Tests.IndexFileTests

open System
open System.IO
open Xunit
open Lah.Retrieval
open Lah.Retrieval.Tests.MultiIndexHashingTests

let private withTemp f =
    let dir = Directory.CreateTempSubdirectory "lah-retrieval-"

    try
        f dir.FullName
    finally
        dir.Delete true

[<Fact>]
let ``index files round-trip codes and ids`` () =
    withTemp (fun dir ->
        for bits in [ 8; 64; 72; 128; 1024 ] do
            let src = randomCodes (Random bits) 37 bits

            let codes =
                PackedCodes.FromWords(Array.copy src.Words, 37, bits, Array.init 37 (fun i -> int64 (1000 - 3 * i)))

            let path = Path.Combine(dir, $"codes{bits}.lahidx")
            IndexFile.Write(path, codes)
            Assert.Equal(IndexFile.FileLength(bits, 37L), FileInfo(path).Length)
            let back = IndexFile.Read path
            Assert.Equal(bits, back.Bits)
            Assert.Equal<uint64[]>(codes.Words, back.Words)
            Assert.Equal<int64[]>(codes.Ids, back.Ids)

        Assert.Empty(Directory.GetFiles(dir, "*.tmp")))

[<Fact>]
let ``writing replaces an existing index and leaves no temporary file`` () =
    withTemp (fun dir ->
        let path = Path.Combine(dir, "x.lahidx")
        IndexFile.Write(path, randomCodes (Random 1) 10 64)
        IndexFile.Write(path, randomCodes (Random 2) 4 16)
        Assert.Equal(4, (IndexFile.Read path).Count)
        Assert.Equal<string[]>([| path |], Directory.GetFiles dir))

[<Fact>]
let ``truncated, corrupt or foreign files give an error naming the file and the field`` () =
    withTemp (fun dir ->
        let path = Path.Combine(dir, "x.lahidx")
        IndexFile.Write(path, randomCodes (Random 3) 20 64)
        let good = File.ReadAllBytes path

        let expectError (bytes: byte[]) (fragment: string) =
            File.WriteAllBytes(path, bytes)
            let e = Assert.Throws<InvalidDataException>(fun () -> IndexFile.Read path |> ignore)
            Assert.Contains(path, e.Message)
            Assert.Contains(fragment, e.Message)

            let m =
                Assert.Throws<InvalidDataException>(fun () -> MappedIndex.Open path |> ignore)

            Assert.Equal(e.Message, m.Message)

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

        Assert.Throws<FileNotFoundException>(fun () -> IndexFile.Read(Path.Combine(dir, "none")) |> ignore)
        |> ignore)

[<Fact>]
let ``a padding bit set in a stored code is refused naming the code`` () =
    withTemp (fun dir ->
        let path = Path.Combine(dir, "x.lahidx")
        IndexFile.Write(path, randomCodes (Random 4) 5 72)
        let bytes = File.ReadAllBytes path
        // code 3's second word starts at 32 + 5·8 + 3·16 + 8; bit 9 of that word is bit 73 of the code
        bytes[32 + 40 + 48 + 8 + 1] <- bytes[32 + 40 + 48 + 8 + 1] ||| 2uy
        File.WriteAllBytes(path, bytes)

        let e =
            Assert.Throws<InvalidDataException>(fun () -> MappedIndex.Open(path, verifyChecksum = false) |> ignore)

        Assert.Contains("code 3 has bits set above bit 71", e.Message))

[<Fact>]
let ``a mapped index file searches exactly like a flat index over the same codes`` () =
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
            Assert.Equal(bits, mapped.Bits)
            Assert.Equal(700, mapped.Count)
            Assert.True(mapped.Ids.SequenceEqual(ReadOnlySpan ids))
            Assert.True(mapped.Words.SequenceEqual(ReadOnlySpan codes.Words))
            Assert.Equal<uint64[]>(codes.Words, mapped.ToPackedCodes().Words)

            for radius in [ 0; 2; bits / 4 ] do
                let want = flat.RadiusSearch(queries, radius)
                let got = mapped.RadiusSearch(queries, radius, 2)

                for q in 0 .. queries.Count - 1 do
                    Assert.Equal<Neighbor[]>(want[q], got[q])
                    Assert.Equal<Neighbor[]>(want[q], mapped.RadiusSearch(queries.Code q, radius))

            let want = flat.Search(queries, 25)
            let got = mapped.Search(queries, 25)

            for q in 0 .. queries.Count - 1 do
                Assert.Equal<Neighbor[]>(want[q], got[q])
                Assert.Equal<Neighbor[]>(want[q], mapped.Search(queries.Code q, 25)))

[<Fact>]
let ``a disposed mapped index refuses searches instead of reading unmapped memory`` () =
    withTemp (fun dir ->
        let path = Path.Combine(dir, "d.lahidx")
        let codes = randomCodes (Random 9) 50 64
        IndexFile.Write(path, codes)
        let mapped = MappedIndex.Open path
        mapped.Dispose()
        mapped.Dispose()

        Assert.Throws<ObjectDisposedException>(fun () -> mapped.Search(codes.Code 0, 3) |> ignore)
        |> ignore

        Assert.Throws<ObjectDisposedException>(fun () -> mapped.Ids.Length |> ignore)
        |> ignore
        // Unmapped, the file can be replaced.
        IndexFile.Write(path, randomCodes (Random 10) 5 64)
        use again = MappedIndex.Open path
        Assert.Equal(5, again.Count))
