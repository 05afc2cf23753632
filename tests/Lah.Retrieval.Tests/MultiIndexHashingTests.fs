module Lah.Retrieval.Tests.MultiIndexHashingTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open Lah.Retrieval
open Lah.Retrieval.Tests.Assertions

/// Random codes where a third are near copies (≤ 3 flips) of earlier ones, so small radii find something.
let randomCodes (rng: Random) (n: int) (bits: int) =
    let words = PackedCodes.WordsFor bits
    let data = Array.zeroCreate<uint64>(n * words)

    for i in 0 .. n - 1 do
        if i > 0 && rng.Next 3 = 0 then
            Array.blit data (rng.Next i * words) data (i * words) words

            for _ in 1 .. rng.Next 4 do
                let b = rng.Next bits
                data[i * words + b / 64] <- data[i * words + b / 64] ^^^ (1UL <<< (b % 64))
        else
            for w in 0 .. words - 1 do
                data[i * words + w] <- uint64 (rng.NextInt64()) ^^^ (uint64 (rng.Next 2) <<< 63)

        if bits % 64 <> 0 then
            data[i * words + words - 1] <- data[i * words + words - 1] &&& ((1UL <<< (bits % 64)) - 1UL)

    PackedCodes.FromWords(data, n, bits)

let private caseGen =
    gen {
        let! seed = Gen.choose (0, Int32.MaxValue)
        let! bits = Gen.elements [| 8; 16; 32; 48; 64; 128; 256 |]
        let! n = Gen.choose (0, 300)
        let! nq = Gen.choose (1, 30)
        let! radius = Gen.choose (0, 6)
        let! tables = Gen.choose (1, 5)
        return seed, bits, n, nq, radius, tables
    }

[<Tests>]
let tests =
    testList
        "MultiIndexHashing"
        [
            testPropertyWithConfig (fsConfig 80) "multi-index hashing radius search equals brute force"
            <| Prop.forAll (Arb.fromGen caseGen) (fun (seed, bits, n, nq, radius, tables) ->
                let rng = Random seed
                let db = randomCodes rng n bits
                let qs = randomCodes rng nq bits
                let mih = MultiIndexHashing(db, max tables ((bits + 63) / 64))
                let want = FlatIndex(db).RadiusSearch(qs, radius, 1)
                let got = mih.RadiusSearch(qs, radius, 2)

                for qi in 0 .. nq - 1 do
                    Expect.equal got[qi] want[qi] $"batched query {qi}"
                    Expect.equal (mih.RadiusSearch(qs.Code qi, radius)) want[qi] $"query {qi}"

                true)

            testCase "multi-index hashing with wide substrings (hashed tables) and shuffled ids equals brute force"
            <| fun () ->
                let rng = Random 11
                let plain = randomCodes rng 500 128
                let ids = Array.init 500 (fun i -> int64 ((i * 7919) % 500))
                let db = PackedCodes.FromWords(Array.copy plain.Words, 500, 128, ids)
                let qs = randomCodes rng 50 128
                let mih = MultiIndexHashing(db, 3) // 43-bit substrings: the dictionary path
                let flat = FlatIndex db

                for radius in [ 0; 2; 5 ] do
                    let got = mih.RadiusSearch(qs, radius)
                    let want = flat.RadiusSearch(qs, radius)

                    for qi in 0 .. qs.Count - 1 do
                        Expect.equal got[qi] want[qi] $"radius {radius}, query {qi}"

            testCase "direct-address tables, used only when dense, equal brute force, probing up to 2 flips a table"
            <| fun () ->
                let rng = Random 5
                let db = randomCodes rng 6000 32
                let qs = randomCodes rng 200 32
                let dense = MultiIndexHashing(db, 2) // 2 × 16 bits: 65,536 slots for 6,000 codes
                Expect.equal dense.DirectTables 2 "dense tables"
                // 16 bits for 100 codes would be 655 slots a code: hash tables instead.
                Expect.equal (MultiIndexHashing(db.Select(ReadOnlySpan [| 0..99 |]), 2).DirectTables) 0 "sparse tables"
                let flat = FlatIndex db

                for radius in [ 0; 1; 2; 3; 4; 5 ] do
                    let got = dense.RadiusSearch(qs, radius)
                    let want = flat.RadiusSearch(qs, radius)

                    for qi in 0 .. qs.Count - 1 do
                        Expect.equal got[qi] want[qi] $"radius {radius}, query {qi}"

            testCase "multi-index hashing refuses substrings wider than 64 bits"
            <| fun () ->
                let db = randomCodes (Random 1) 10 256

                let e =
                    throws<ArgumentOutOfRangeException>(fun () -> MultiIndexHashing(db, 3) |> ignore)

                Expect.stringContains e.Message "at most 64 bits" "message"
        ]
