/// `lah query` and `lah weights convert`: index files and weights as users have them.
module Lah.Experiments.Tools

open System
open System.IO
open System.Text.Json
open Lah.Retrieval

/// Our index files or FAISS binary index files (IndexBinaryFlat, or an IDMap over one), told apart by their first bytes.
let readIndex (path: string) =
    if not (File.Exists path) then
        raise (FileNotFoundException($"index file not found: {path}", path))

    let head = Array.zeroCreate<byte> 4

    do
        use f = File.OpenRead path
        f.ReadExactly(head, 0, min 4 (int f.Length))

    match Text.Encoding.ASCII.GetString head with
    | "IBxF"
    | "IBMp"
    | "IBM2" -> FaissBinaryIndexFile.Read path
    | _ -> IndexFile.Read path

/// A code given as hex: its bytes in storage order (FAISS's order too), so a string copied from either side matches.
let parseHexCode (hex: string) (bits: int) =
    let hex = hex.Trim().Replace(" ", "")

    if bits % 8 <> 0 then
        invalidArg "--code" $"the index holds {bits}-bit codes; --code needs a whole number of bytes"

    if hex.Length <> bits / 4 then
        invalidArg "--code" $"expected {bits / 4} hex digits for a {bits}-bit code, got {hex.Length}"

    let bytes =
        try
            Convert.FromHexString hex
        with :? FormatException ->
            invalidArg "--code" $"expected hex digits (0-9, a-f), got '{hex}'"

    let words = Array.zeroCreate<uint64>(PackedCodes.WordsFor bits)
    Buffer.BlockCopy(bytes, 0, words, 0, bytes.Length)
    PackedCodes.FromWords(words, 1, bits)

/// Neighbours of each query: the k nearest, or every code within the radius; ties by position in the index.
let search (index: PackedCodes) (queries: PackedCodes) (k: int option) (radius: int option) =
    if queries.Bits <> index.Bits then
        invalidArg "--queries" $"the queries hold {queries.Bits}-bit codes, the index {index.Bits}-bit ones"

    let flat = FlatIndex index

    match k, radius with
    | _, Some r -> flat.RadiusSearch(queries, r)
    | Some k, None -> flat.Search(queries, k)
    | None, None -> flat.Search(queries, 10)

let printTable (queries: PackedCodes) (results: Neighbor[][]) =
    printfn "| query | rank | id | distance |"
    printfn "|---:|---:|---:|---:|"

    results
    |> Array.iteri (fun q hits ->
        hits
        |> Array.iteri (fun rank n -> printfn "| %d | %d | %d | %d |" queries.Ids[q] (rank + 1) n.Id n.Distance))

let toJson (queries: PackedCodes) (results: Neighbor[][]) =
    let rows =
        results
        |> Array.mapi (fun q hits ->
            {|
                query = queries.Ids[q]
                neighbors = hits |> Array.map (fun n -> {| id = n.Id; distance = n.Distance |})
            |})

    JsonSerializer.Serialize(rows, JsonSerializerOptions(WriteIndented = true))

let convertWeights (input: string) (output: string) =
    let n = Lah.Torch.Serialization.WeightsConverter.Convert(input, output)
    printfn "%s: %d tensors written to %s" input n output
