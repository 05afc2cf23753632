module Lah.Retrieval.Tests.ShardedIndexTests

open System
open System.IO
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Tests.Assertions
open Lah.Retrieval.Tests.MultiIndexHashingTests

/// Random codes with unique, shuffled global ids (a real split keeps each item's id, not its position).
let private codesWithIds (rng: Random) n bits =
    let src = randomCodes rng n bits

    let ids =
        Array.init n (fun i -> 10L * int64 i + 3L) |> Array.sortBy (fun _ -> rng.Next())

    PackedCodes.FromWords(src.Words, n, bits, ids)

/// Splits at random cut points (empty shards included).
let private split (rng: Random) (codes: PackedCodes) shards =
    let cuts =
        Array.init (shards - 1) (fun _ -> rng.Next(codes.Count + 1)) |> Array.sort

    let bounds = Array.concat [ [| 0 |]; cuts; [| codes.Count |] ]

    [
        for s in 0 .. shards - 1 ->
            codes.Select(ReadOnlySpan(Array.init (bounds[s + 1] - bounds[s]) (fun i -> bounds[s] + i)))
    ]

let private same (name: string) (a: Neighbor[][]) (b: Neighbor[][]) =
    Expect.equal a.Length b.Length $"{name}: queries"

    for q in 0 .. a.Length - 1 do
        Expect.sequenceEqual a[q] b[q] $"{name}: query {q}"

[<Tests>]
let tests =
    testList
        "ShardedIndex"
        [
            testCase "top-k and radius results equal the unsharded index's, ids and positions kept (several seeds)"
            <| fun () ->
                for seed in 1..12 do
                    let rng = Random seed
                    let bits = [| 8; 32; 64; 72; 128 |][seed % 5]
                    let n = rng.Next(0, 300)
                    let codes = codesWithIds rng n bits
                    let shards = 1 + rng.Next 5
                    let parts = split rng codes shards
                    use sharded = ShardedIndex.FromCodes parts
                    let flat = FlatIndex codes
                    Expect.equal sharded.Count n $"seed {seed}: count"
                    Expect.equal sharded.Shards shards $"seed {seed}: shards"
                    let queries = randomCodes rng 25 bits

                    for k in [ 0; 1; 5; 40; n + 3 ] do
                        same $"seed {seed} k={k}" (sharded.Search(queries, k)) (flat.Search(queries, k))

                        Expect.sequenceEqual
                            (sharded.Search(queries.Code 0, k))
                            (flat.Search(queries.Code 0, k))
                            $"seed {seed} k={k}: single query"

                    for radius in [ 0; 2; bits / 4; bits ] do
                        same
                            $"seed {seed} r={radius}"
                            (sharded.RadiusSearch(queries, radius))
                            (flat.RadiusSearch(queries, radius))

                        Expect.sequenceEqual
                            (sharded.RadiusSearch(queries.Code 1, radius))
                            (flat.RadiusSearch(queries.Code 1, radius))
                            $"seed {seed} r={radius}: single query"

            testCase "shard files written and opened together search like the whole set; mixed code lengths are refused"
            <| fun () ->
                let dir = Directory.CreateTempSubdirectory "lah-shards-"

                try
                    let codes = codesWithIds (Random 42) 1000 64
                    let paths = ShardedIndex.WriteShards(codes, 4, Path.Combine(dir.FullName, "db"))
                    Expect.equal paths.Count 4 "paths"
                    Expect.equal (paths |> Seq.sumBy (fun p -> (IndexFile.Read p).Count)) 1000 "codes over the shards"
                    use sharded = ShardedIndex.Open paths
                    let flat = FlatIndex codes
                    let queries = randomCodes (Random 43) 50 64
                    same "top-10" (sharded.Search(queries, 10, threads = 2)) (flat.Search(queries, 10))
                    same "radius 20" (sharded.RadiusSearch(queries, 20, threads = 2)) (flat.RadiusSearch(queries, 20))

                    let other = Path.Combine(dir.FullName, "other.lahidx")
                    IndexFile.Write(other, randomCodes (Random 1) 5 128)

                    let e =
                        throws<ArgumentException>(fun () -> ShardedIndex.Open(Seq.append paths [ other ]) |> ignore)

                    Expect.stringContains e.Message other "names the odd shard"
                    throws<ArgumentException>(fun () -> ShardedIndex.Open [] |> ignore) |> ignore
                finally
                    dir.Delete true
        ]
