module Lah.Retrieval.Tests.PackedCodesTests

open System
open Expecto
open Lah.Retrieval
open Lah.Retrieval.Tests.Assertions

let randomValues (rng: Random) n =
    Array.init n (fun _ ->
        match rng.Next 5 with
        | 0 -> 0.0f
        | _ -> float32 (rng.NextDouble() * 2.0 - 1.0))

[<Tests>]
let tests =
    testList
        "PackedCodes"
        [
            testList
                "packing by sign then unpacking gives +1 for positives and -1 for zero and negatives"
                [
                    for bits in [ 8; 16; 24; 48; 64; 72; 128; 1024 ] ->
                        testCase $"K={bits}"
                        <| fun () ->
                            let rng = Random bits
                            let count = 13
                            let values = randomValues rng (count * bits)
                            let codes = PackedCodes.FromSigns(ReadOnlySpan values, count, bits, null)
                            Expect.equal codes.WordsPerCode ((bits + 63) / 64) "words per code"
                            Expect.equal codes.Words.Length (count * codes.WordsPerCode) "words"

                            let expected = values |> Array.map (fun v -> if v > 0.0f then 1.0f else -1.0f)

                            Expect.equal (codes.ToSigns()) expected "signs"
                            Expect.equal codes.Ids (Array.init count int64) "default ids"
                ]

            testCase "bit j of a code is word j/64, position j mod 64, and unused high bits stay zero"
            <| fun () ->
                let values = Array.create 72 -1.0f
                values[0] <- 1.0f
                values[65] <- 0.5f
                values[70] <- 0.0f
                let codes = PackedCodes.FromSigns(ReadOnlySpan values, 1, 72, [| 42L |])
                Expect.equal codes.Words [| 1UL; 2UL |] "words"
                Expect.equal codes.Ids[0] 42L "id"

            testList
                "a code length that is not a multiple of 8 in 8..1024 is rejected"
                [
                    for bits in [ 0; 7; 12; 1032 ] ->
                        testCase $"K={bits}"
                        <| fun () ->
                            let ex =
                                throws<ArgumentOutOfRangeException>(fun () ->
                                    PackedCodes.FromSigns(
                                        ReadOnlySpan(Array.zeroCreate<float32>(max bits 0)),
                                        1,
                                        bits,
                                        null
                                    )
                                    |> ignore)

                            Expect.stringContains ex.Message "multiple of 8" "message"
                ]

            testCase "mismatched value count, id count or stray high bits are rejected with the expected size"
            <| fun () ->
                let ex =
                    throws<ArgumentException>(fun () ->
                        PackedCodes.FromSigns(ReadOnlySpan(Array.zeroCreate<float32> 15), 1, 16, null)
                        |> ignore)

                Expect.stringContains ex.Message "expected count*bits = 16" "value count"

                let ex2 =
                    throws<ArgumentException>(fun () ->
                        PackedCodes.FromSigns(ReadOnlySpan(Array.zeroCreate<float32> 32), 2, 16, [| 1L |])
                        |> ignore)

                Expect.stringContains ex2.Message "ids has 1" "id count"

                let ex3 =
                    throws<ArgumentException>(fun () -> PackedCodes.FromWords([| 1UL <<< 20 |], 1, 16, null) |> ignore)

                Expect.stringContains ex3.Message "above bit 15" "stray bits"

            testCase "selecting codes keeps their words and ids"
            <| fun () ->
                let rng = Random 3

                let codes =
                    PackedCodes.FromSigns(
                        ReadOnlySpan(randomValues rng (5 * 128)),
                        5,
                        128,
                        [| 10L; 11L; 12L; 13L; 14L |]
                    )

                let s = codes.Select(ReadOnlySpan [| 3; 1 |])
                Expect.equal s.Ids [| 13L; 11L |] "ids"
                Expect.equal s.Words (Array.append (codes.Code(3).ToArray()) (codes.Code(1).ToArray())) "words"
        ]
