module Lah.Retrieval.Tests.KernelTests

open System
open System.Numerics
open Xunit
open FsCheck
open FsCheck.FSharp
open Lah.Retrieval
open Lah.Retrieval.Kernels

let config = Config.QuickThrowOnFailure.WithMaxTest 60

let randomCodes (rng: Random) count bits =
    let values =
        Array.init (count * bits) (fun _ -> if rng.Next 2 = 0 then 1.0f else -1.0f)

    PackedCodes.FromSigns(ReadOnlySpan values, count, bits, null)

let naive (a: ReadOnlySpan<uint64>) (b: ReadOnlySpan<uint64>) =
    let mutable d = 0

    for i in 0 .. a.Length - 1 do
        let mutable x = a[i] ^^^ b[i]

        while x <> 0UL do
            d <- d + int (x &&& 1UL)
            x <- x >>> 1

    d

let sizes = [| 8; 16; 24; 32; 48; 64; 72; 128; 136; 192; 256; 512; 1024 |]

[<Fact>]
let ``every supported kernel gives the bit-by-bit distance, whatever K and tail length`` () =
    Assert.Contains(HammingKernel.Scalar, Hamming.Supported)
    Assert.True(Hamming.IsSupported Hamming.Best)

    Check.One(
        config,
        fun (seed: int) (sizeIdx: byte) (count: byte) ->
            let rng = Random seed
            let bits = sizes[int sizeIdx % sizes.Length]
            let n = int count % 40 + 1
            let codes = randomCodes rng n bits
            let query = randomCodes rng 1 bits
            let expected = Array.init n (fun i -> naive (query.Code 0) (codes.Code i))

            for k in Hamming.Supported do
                let d = Array.zeroCreate<int> n
                Hamming.Distances(k, query.Code 0, ReadOnlySpan codes.Words, codes.WordsPerCode, Span d)

                if d <> expected then
                    failwithf "kernel %A, K=%d, n=%d: %A <> %A" k bits n d expected

            true
    )

[<Fact>]
let ``all-ones against all-zeros is K apart and a code is 0 from itself`` () =
    for bits in sizes do
        let w = (bits + 63) / 64

        let ones =
            Array.init w (fun i ->
                if i < w - 1 || bits % 64 = 0 then
                    UInt64.MaxValue
                else
                    (1UL <<< (bits % 64)) - 1UL)

        let zeros = Array.zeroCreate<uint64> w

        for k in Hamming.Supported do
            let d = Array.zeroCreate<int> 2
            Hamming.Distances(k, ReadOnlySpan ones, ReadOnlySpan(Array.append zeros ones), w, Span d)
            Assert.Equal<int[]>([| bits; 0 |], d)

[<Fact>]
let ``a query of the wrong width is rejected`` () =
    let ex =
        Assert.Throws<ArgumentException>(fun () ->
            Hamming.Distances(
                HammingKernel.Scalar,
                ReadOnlySpan [| 1UL |],
                ReadOnlySpan [| 1UL; 2UL |],
                2,
                Span(Array.zeroCreate<int> 1)
            ))

    Assert.Contains("expected 2", ex.Message)
