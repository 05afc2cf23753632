module Lah.Experiments.Tests.ToolsTests

open System
open System.IO
open Expecto
open Lah.Retrieval
open Lah.Experiments

let private codes (n: int) (bits: int) (seed: int) =
    let rng = Random seed

    let words =
        Array.init (n * PackedCodes.WordsFor bits) (fun _ -> uint64 (rng.NextInt64()))

    if bits % 64 <> 0 then
        // The unused high bits of each code's last word stay zero, as index files require.
        let mask = (1UL <<< (bits % 64)) - 1UL

        for i in 0 .. n - 1 do
            let last = (i + 1) * PackedCodes.WordsFor bits - 1
            words[last] <- words[last] &&& mask

    PackedCodes.FromWords(words, n, bits, Array.init n (fun i -> int64 (1000 + i)))

[<Tests>]
let tests =
    testList
        "tools"
        [
            for bits in [ 16; 64; 96 ] do
                test $"a code's storage bytes as hex find that code in our and FAISS's index files ({bits} bits)" {
                    use dir = new Fixtures.TempDir()
                    let c = codes 50 bits 3
                    let ours = Path.Combine(dir.Path, "codes.lahidx")
                    let faiss = Path.Combine(dir.Path, "codes.faiss")
                    IndexFile.Write(ours, c)
                    FaissBinaryIndexFile.Write(faiss, c)

                    for file in [ ours; faiss ] do
                        let index = Tools.readIndex file
                        Expect.equal index.Words c.Words $"{file}: same codes"
                        let bytes = Array.zeroCreate<byte>(bits / 8)
                        Buffer.BlockCopy(c.Words, 7 * PackedCodes.WordsFor bits * 8, bytes, 0, bytes.Length)
                        let query = Tools.parseHexCode (Convert.ToHexString bytes) bits
                        let hits = Tools.search index query (Some 3) None
                        Expect.equal hits[0].[0].Distance 0 "itself first"
                        Expect.equal hits[0].[0].Id 1007L "its id"
                        let ball = Tools.search index query None (Some 0)
                        Expect.isTrue (ball[0] |> Array.exists (fun n -> n.Id = 1007L)) "radius 0 holds it"
                }

            test "a hex code of the wrong length names the option and what was expected" {
                let e =
                    try
                        Tools.parseHexCode "abcd" 64 |> ignore
                        failtest "a short code was accepted"
                    with :? ArgumentException as e ->
                        e

                Expect.stringContains e.Message "expected 16 hex digits" "what was expected"
                Expect.stringContains e.Message "--code" "the option"
            }

            test "a missing index file is an error naming it" {
                let e =
                    try
                        Tools.readIndex "/no/such.lahidx" |> ignore
                        failtest "a missing file was read"
                    with :? FileNotFoundException as e ->
                        e

                Expect.stringContains e.Message "/no/such.lahidx" "the file"
            }
        ]
