module Lah.Retrieval.Tests.KernelTests

open System
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Kernels
open Lah.Retrieval.Tests.Assertions

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

[<Tests>]
let tests =
    testList
        "Kernels"
        [
            testCase "the scalar kernel is always supported and so is the best one"
            <| fun () ->
                Expect.contains Hamming.Supported HammingKernel.Scalar "scalar supported"
                Expect.isTrue (Hamming.IsSupported Hamming.Best) "best supported"

            testPropertyWithConfig
                (fsConfig 60)
                "every supported kernel gives the bit-by-bit distance, whatever K and tail length"
            <| fun (seed: int) (sizeIdx: byte) (count: byte) ->
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

            testCase "all-ones against all-zeros is K apart and a code is 0 from itself"
            <| fun () ->
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
                        Expect.equal d [| bits; 0 |] $"kernel {k}, K={bits}"

            testCase "a query of the wrong width is rejected"
            <| fun () ->
                let ex =
                    throws<ArgumentException>(fun () ->
                        Hamming.Distances(
                            HammingKernel.Scalar,
                            ReadOnlySpan [| 1UL |],
                            ReadOnlySpan [| 1UL; 2UL |],
                            2,
                            Span(Array.zeroCreate<int> 1)
                        ))

                Expect.stringContains ex.Message "expected 2" "message"
        ]
