module Lah.Retrieval.Tests.ShardedMultiIndexHashingTests

open System
open System.IO
open Expecto
open Lah.Retrieval

/// Clustered codes: a few random centres, each code one of them with 0–4 random bits flipped, so radius 0–3 balls
/// hold several codes (uniform codes would leave them empty). Ids are unique and shuffled, as in a real split.
let clustered (rng: Random) (n: int) (bits: int) (centres: int) =
    let words = PackedCodes.WordsFor bits

    let centre =
        Array.init (max centres 1 * words) (fun i ->
            let v = uint64 (rng.NextInt64()) ^^^ (uint64 (rng.Next 2) <<< 63)

            if bits % 64 <> 0 && i % words = words - 1 then
                v &&& ((1UL <<< (bits % 64)) - 1UL)
            else
                v)

    let data = Array.zeroCreate<uint64>(n * words)

    for i in 0 .. n - 1 do
        Array.blit centre (rng.Next(max centres 1) * words) data (i * words) words

        for _ in 1 .. rng.Next 5 do
            let b = rng.Next bits
            data[i * words + b / 64] <- data[i * words + b / 64] ^^^ (1UL <<< (b % 64))

    let ids =
        Array.init n (fun i -> 7L * int64 i + 11L) |> Array.sortBy (fun _ -> rng.Next())

    PackedCodes.FromWords(data, n, bits, ids)

/// Queries: indexed codes with 0–3 bits flipped, then as many random codes (mostly empty balls).
let nearQueries (rng: Random) (codes: PackedCodes) (count: int) =
    let words = codes.WordsPerCode
    let data = Array.zeroCreate<uint64>(2 * count * words)

    for i in 0 .. 2 * count - 1 do
        if i < count && codes.Count > 0 then
            codes.Code(rng.Next codes.Count).CopyTo(data.AsSpan(i * words, words))

            for _ in 1 .. rng.Next 4 do
                let b = rng.Next codes.Bits
                data[i * words + b / 64] <- data[i * words + b / 64] ^^^ (1UL <<< (b % 64))
        else
            for w in 0 .. words - 1 do
                let v = uint64 (rng.NextInt64()) ^^^ (uint64 (rng.Next 2) <<< 63)
                let last = w = words - 1 && codes.Bits % 64 <> 0

                data[i * words + w] <-
                    if last then
                        v &&& ((1UL <<< (codes.Bits % 64)) - 1UL)
                    else
                        v

    PackedCodes.FromWords(data, 2 * count, codes.Bits)

/// Contiguous parts of the given sizes (the last takes the rest).
let private parts (codes: PackedCodes) (sizes: int list) =
    let cuts = sizes |> List.scan (+) 0 |> List.map (min codes.Count)

    [
        for s in 0 .. sizes.Length - 1 ->
            let a = cuts[s]
            let b = if s = sizes.Length - 1 then codes.Count else cuts[s + 1]
            codes.Select(ReadOnlySpan(Array.init (b - a) (fun i -> a + i)))
    ]

/// Shard layouts for n codes: one shard, even thirds, uneven with an empty shard first and in the middle, many small.
let private layouts n =
    [
        "one shard", [ n ]
        "three even", [ n / 3; n / 3; n ]
        "uneven, empty shards", [ 0; n / 10; 0; n / 2; 1; n ]
        "many small", List.replicate 9 (max 1 (n / 9)) @ [ n ]
    ]

let private writeShards (dir: string) (shards: PackedCodes list) =
    shards
    |> List.mapi (fun i s ->
        let path = Path.Combine(dir, $"part.{i}.lahidx")
        IndexFile.Write(path, s)
        path)

let private same (name: string) (got: Neighbor[][]) (want: Neighbor[][]) =
    Expect.equal got.Length want.Length $"{name}: queries"

    for q in 0 .. want.Length - 1 do
        Expect.sequenceEqual got[q] want[q] $"{name}: query {q}"

let private withDir (f: string -> unit) =
    let dir = Directory.CreateTempSubdirectory "lah-smih-"

    try
        f dir.FullName
    finally
        dir.Delete true

[<Tests>]
let tests =
    testList
        "ShardedMultiIndexHashing"
        [
            testCase
                "radius results over mapped shards equal brute force (ids, distances, order), radius 0..3 and beyond"
            <| fun () ->
                withDir (fun dir ->
                    for seed in 1..6 do
                        let rng = Random seed
                        let bits = [| 64; 64; 32; 128; 64; 48 |][seed - 1]
                        let n = 400 + rng.Next 1200
                        let codes = clustered rng n bits (5 + rng.Next 40)
                        let near = nearQueries rng codes 40
                        let flat = FlatIndex codes

                        for layout, sizes in layouts n do
                            let sub = Path.Combine(dir, $"{seed}-{layout}")
                            let paths = writeShards sub (parts codes sizes)

                            for tables in [ 0; 2; 3; 5 ] do
                                use mih = ShardedMultiIndexHashing.Open(paths, tables, threads = 2)
                                let name = $"seed {seed}, {bits} bits, {layout}, tables {mih.Tables}"
                                Expect.equal mih.Count n $"{name}: count"
                                Expect.equal mih.Shards sizes.Length $"{name}: shards"

                                for radius in [ 0; 1; 2; 3; 5; 9 ] do
                                    let want = flat.RadiusSearch(near, radius, 1)
                                    same $"{name}, r={radius}" (mih.RadiusSearch(near, radius, 2)) want

                                    for q in [ 0; 17; 39; 40; 79 ] do
                                        Expect.sequenceEqual
                                            (mih.RadiusSearch(near.Code q, radius))
                                            want[q]
                                            $"{name}, r={radius}: single query {q}"

                                let balls = flat.RadiusSearch(near, 2, 1) |> Array.sumBy _.Length
                                Expect.isGreaterThan balls 0 $"{name}: radius-2 balls are not all empty")

            testCase "in-memory shards, a bucket shared by several keys (long substrings) and an empty collection"
            <| fun () ->
                for seed in 11..14 do
                    let rng = Random seed
                    let n = 3000
                    let codes = clustered rng n 64 50
                    let queries = nearQueries rng codes 30
                    let flat = FlatIndex codes

                    // 2 tables of 32 bits index 14 of them: most buckets hold several keys.
                    for tables in [ 1; 2; 3 ] do
                        use mih =
                            ShardedMultiIndexHashing.FromCodes(parts codes [ 1000; 0; 1500; n ], tables)

                        for radius in [ 0; 1; 2; 3; 4 ] do
                            same
                                $"seed {seed}, tables {tables}, r={radius}"
                                (mih.RadiusSearch(queries, radius))
                                (flat.RadiusSearch(queries, radius, 1))

                let empty = PackedCodes.FromWords([||], 0, 64)
                use none = ShardedMultiIndexHashing.FromCodes([ empty; empty ])
                let q = clustered (Random 3) 5 64 2
                Expect.equal none.Count 0 "empty: count"
                Expect.isTrue (none.RadiusSearch(q, 2) |> Array.forall Array.isEmpty) "empty: no hits"
                Expect.isEmpty (none.RadiusSearch(q.Code 0, 64)) "empty: no hits, flat fallback"

            testCase "ids and positions are preserved across shards"
            <| fun () ->
                withDir (fun dir ->
                    let rng = Random 21
                    let codes = clustered rng 2000 64 30
                    let paths = writeShards dir (parts codes [ 300; 0; 700; 2000 ])
                    use mih = ShardedMultiIndexHashing.Open paths
                    let queries = nearQueries rng codes 25
                    let mutable hits = 0

                    for q, result in Array.indexed (mih.RadiusSearch(queries, 3)) do
                        for h in result do
                            hits <- hits + 1
                            Expect.equal h.Id codes.Ids[h.Index] $"position {h.Index}: id as written in its shard"

                            Expect.equal
                                h.Distance
                                (Kernels.Hamming.Distance(codes.Code h.Index, queries.Code q))
                                $"position {h.Index}: distance"

                    Expect.isGreaterThan hits 100 "hits found")

            testCase "flat k-NN over the shards equals the unsharded k-NN"
            <| fun () ->
                withDir (fun dir ->
                    for seed in 31..33 do
                        let rng = Random seed
                        let n = 1500 + rng.Next 500
                        let codes = clustered rng n 64 20
                        let queries = nearQueries rng codes 15
                        let flat = FlatIndex codes

                        for layout, sizes in layouts n do
                            let paths = writeShards (Path.Combine(dir, $"{seed}-{layout}")) (parts codes sizes)
                            use mih = ShardedMultiIndexHashing.Open paths

                            for k in [ 1; 10; 100; n + 5 ] do
                                same
                                    $"seed {seed}, {layout}, k={k}"
                                    (mih.Search(queries, k, 2))
                                    (flat.Search(queries, k))

                                Expect.sequenceEqual
                                    (mih.Search(queries.Code 3, k))
                                    (flat.Search(queries.Code 3, k))
                                    $"seed {seed}, {layout}, k={k}: single query")

            testCase "default table count: substrings of about log2 N bits, at most 24"
            <| fun () ->
                for n in [ 1_000_000L; 10_000_000L; 100_000_000L; 1_000_000_000L ] do
                    Expect.equal (ShardedMultiIndexHashing.DefaultTables(64, n)) 3 $"64 bits, {n} codes"

                Expect.equal (ShardedMultiIndexHashing.DefaultTables(64, 1000L)) 6 "64 bits, 1,000 codes"
                Expect.equal (ShardedMultiIndexHashing.DefaultTables(128, 100_000_000L)) 6 "128 bits, 100M codes"
        ]
