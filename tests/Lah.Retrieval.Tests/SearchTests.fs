module Lah.Retrieval.Tests.SearchTests

open System
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Kernels
open Lah.Retrieval.Tests.Assertions

/// Codes drawn from a few prototypes with a few flipped bits, so that small radii have hits and ties abound.
let clusteredCodes (rng: Random) count bits (ids: int64[] option) =
    let protos = Array.init 4 (fun _ -> Array.init bits (fun _ -> rng.Next 2 = 0))

    let values =
        Array.init count (fun _ ->
            let p = Array.copy protos[rng.Next protos.Length]

            for _ in 1 .. rng.Next 4 do
                let j = rng.Next bits
                p[j] <- not p[j]

            p)
        |> Array.collect (Array.map (fun b -> if b then 1.0f else -1.0f))

    PackedCodes.FromSigns(ReadOnlySpan values, count, bits, Option.toObj ids)

let shuffledIds (rng: Random) n =
    let ids = Array.init n (fun i -> int64 (i * 7 + 3))
    rng.Shuffle ids
    ids

let bruteForce (db: PackedCodes) (query: uint64[]) =
    [|
        for i in 0 .. db.Count - 1 -> Neighbor(db.Ids[i], i, Hamming.Distance(ReadOnlySpan query, db.Code i))
    |]
    |> Array.sortBy (fun n -> n.Distance, n.Id, n.Index)

let bitsChoices = [| 8; 16; 32; 64; 128; 136; 256 |]

[<Tests>]
let tests =
    testList
        "Search"
        [
            testPropertyWithConfig
                (fsConfig 40)
                "top-k equals sorting every code by distance then id, single and batched, any kernel"
            <| fun (seed: int) (sizeIdx: byte) (n: byte) (k: byte) ->
                let rng = Random seed
                let bits = bitsChoices[int sizeIdx % bitsChoices.Length]
                let count = int n % 150 + 1
                let db = clusteredCodes rng count bits (Some(shuffledIds rng count))
                let queries = clusteredCodes rng 20 bits None
                let k = int k % (count + 5)

                for kernel in Hamming.Supported do
                    let index = FlatIndex(db, kernel)
                    let batched = index.Search(queries, k, 2)

                    for q in 0 .. queries.Count - 1 do
                        let expected = bruteForce db (queries.Code(q).ToArray()) |> Array.truncate k
                        Expect.equal (index.Search(queries.Code q, k)) expected $"kernel {kernel}, query {q}"
                        Expect.equal batched[q] expected $"kernel {kernel}, batched query {q}"

                true

            testPropertyWithConfig (fsConfig 40) "radius search returns exactly the codes within the radius, inclusive"
            <| fun (seed: int) (sizeIdx: byte) (n: byte) (r: byte) ->
                let rng = Random seed
                let bits = bitsChoices[int sizeIdx % bitsChoices.Length]
                let count = int n % 150 + 1
                let db = clusteredCodes rng count bits (Some(shuffledIds rng count))
                let queries = clusteredCodes rng 20 bits None
                let radius = int r % 6
                let index = FlatIndex db
                let batched = index.RadiusSearch(queries, radius, 1)

                for q in 0 .. queries.Count - 1 do
                    let expected =
                        bruteForce db (queries.Code(q).ToArray())
                        |> Array.filter (fun x -> x.Distance <= radius)

                    Expect.equal (index.RadiusSearch(queries.Code q, radius)) expected $"query {q}"
                    Expect.equal batched[q] expected $"batched query {q}"

                true

            testPropertyWithConfig (fsConfig 40) "a database item identical to the query is ranked first"
            <| fun (seed: int) (n: byte) ->
                let rng = Random seed
                let count = int n % 100 + 2
                let db = clusteredCodes rng count 64 None
                let target = rng.Next count
                let query = db.Code(target).ToArray()
                let first = (FlatIndex db).Search(ReadOnlySpan query, 1)[0]
                // Ties at distance 0 go to the smallest id, which is never after the target.
                first.Distance = 0 && first.Index <= target

            testCase "queries of another code length are rejected"
            <| fun () ->
                let rng = Random 1
                let index = FlatIndex(clusteredCodes rng 10 64 None)

                let ex =
                    throws<ArgumentException>(fun () -> index.Search(clusteredCodes rng 2 128 None, 3, 1) |> ignore)

                Expect.stringContains ex.Message "128-bit" "message"
        ]
