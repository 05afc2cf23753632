module Lah.Retrieval.Tests.PackedCodesTests

open System
open Xunit
open Lah.Retrieval

let randomValues (rng: Random) n =
    Array.init n (fun _ ->
        match rng.Next 5 with
        | 0 -> 0.0f
        | _ -> float32 (rng.NextDouble() * 2.0 - 1.0))

[<Theory>]
[<InlineData 8>]
[<InlineData 16>]
[<InlineData 24>]
[<InlineData 48>]
[<InlineData 64>]
[<InlineData 72>]
[<InlineData 128>]
[<InlineData 1024>]
let ``packing by sign then unpacking gives +1 for positives and -1 for zero and negatives`` (bits: int) =
    let rng = Random bits
    let count = 13
    let values = randomValues rng (count * bits)
    let codes = PackedCodes.FromSigns(ReadOnlySpan values, count, bits, null)
    Assert.Equal((bits + 63) / 64, codes.WordsPerCode)
    Assert.Equal(count * codes.WordsPerCode, codes.Words.Length)
    let expected = values |> Array.map (fun v -> if v > 0.0f then 1.0f else -1.0f)
    Assert.Equal<float32[]>(expected, codes.ToSigns())
    Assert.Equal<int64[]>(Array.init count int64, codes.Ids)

[<Fact>]
let ``bit j of a code is word j/64, position j mod 64, and unused high bits stay zero`` () =
    let values = Array.create 72 -1.0f
    values[0] <- 1.0f
    values[65] <- 0.5f
    values[70] <- 0.0f
    let codes = PackedCodes.FromSigns(ReadOnlySpan values, 1, 72, [| 42L |])
    Assert.Equal<uint64[]>([| 1UL; 2UL |], codes.Words)
    Assert.Equal(42L, codes.Ids[0])

[<Theory>]
[<InlineData 0>]
[<InlineData 7>]
[<InlineData 12>]
[<InlineData 1032>]
let ``a code length that is not a multiple of 8 in 8..1024 is rejected`` (bits: int) =
    let ex =
        Assert.Throws<ArgumentOutOfRangeException>(fun () ->
            PackedCodes.FromSigns(ReadOnlySpan(Array.zeroCreate<float32>(max bits 0)), 1, bits, null)
            |> ignore)

    Assert.Contains("multiple of 8", ex.Message)

[<Fact>]
let ``mismatched value count, id count or stray high bits are rejected with the expected size`` () =
    let ex =
        Assert.Throws<ArgumentException>(fun () ->
            PackedCodes.FromSigns(ReadOnlySpan(Array.zeroCreate<float32> 15), 1, 16, null)
            |> ignore)

    Assert.Contains("expected count*bits = 16", ex.Message)

    let ex2 =
        Assert.Throws<ArgumentException>(fun () ->
            PackedCodes.FromSigns(ReadOnlySpan(Array.zeroCreate<float32> 32), 2, 16, [| 1L |])
            |> ignore)

    Assert.Contains("ids has 1", ex2.Message)

    let ex3 =
        Assert.Throws<ArgumentException>(fun () -> PackedCodes.FromWords([| 1UL <<< 20 |], 1, 16, null) |> ignore)

    Assert.Contains("above bit 15", ex3.Message)

[<Fact>]
let ``selecting codes keeps their words and ids`` () =
    let rng = Random 3

    let codes =
        PackedCodes.FromSigns(ReadOnlySpan(randomValues rng (5 * 128)), 5, 128, [| 10L; 11L; 12L; 13L; 14L |])

    let s = codes.Select(ReadOnlySpan [| 3; 1 |])
    Assert.Equal<int64[]>([| 13L; 11L |], s.Ids)
    Assert.Equal<uint64[]>(Array.append (codes.Code(3).ToArray()) (codes.Code(1).ToArray()), s.Words)
