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

        Assert.Throws<FileNotFoundException>(fun () -> IndexFile.Read(Path.Combine(dir, "none")) |> ignore)
        |> ignore)
