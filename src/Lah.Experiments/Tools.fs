/// `lah query` and `lah weights convert`: index files and weights as users have them.
module Lah.Experiments.Tools

open System
open System.IO
open System.Text.Json
open Lah.Retrieval

let private isFaiss (path: string) =
    if not (File.Exists path) then
        raise (FileNotFoundException($"index file not found: {path}", path))

    let head = Array.zeroCreate<byte> 4

    do
        use f = File.OpenRead path
        f.ReadExactly(head, 0, min 4 (int f.Length))

    match Text.Encoding.ASCII.GetString head with
    | "IBxF"
    | "IBMp"
    | "IBM2" -> true
    | _ -> false

/// Our index files or FAISS binary index files (IndexBinaryFlat, or an IDMap over one), told apart by their first bytes.
let readIndex (path: string) =
    if isFaiss path then
        FaissBinaryIndexFile.Read path
    else
        IndexFile.Read path

/// The labels stored with an index's codes; None for FAISS files and index files written without labels.
let tryReadLabels (path: string) =
    if isFaiss path then
        None
    else
        IndexFile.ReadLabels path |> Option.ofObj

/// The labels of an index file, or an error naming the argument and the file.
let readLabels (argument: string) (path: string) =
    match tryReadLabels path with
    | Some l -> l
    | None when isFaiss path ->
        raise (
            ArgumentException
                $"{argument}: {path} is a FAISS index file, which has no labels; evaluate index files written by `lah encode` from a labelled list"
        )
    | None ->
        raise (
            ArgumentException
                $"{argument}: {path} has no labels; `lah encode` stores them when --images is a list with labels (LAH CSV or COCO-style list)"
        )

/// A row's positive labels by name (by column number when the file has no names).
let labelText (labels: IndexLabels) (row: int) =
    let values = labels.Rows.Select(ReadOnlySpan [| row |]).ToFloats()

    [
        for j in 0 .. values.Length - 1 do
            if values[j] > 0.0f then
                if labels.Names.Count > 0 then labels.Names[j] else string j
    ]
    |> String.concat ","

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

/// What is known of an index's items besides their codes: labels (when stored) and image paths (the sidecar).
type Annotations =
    {
        Labels: IndexLabels option
        Paths: Map<int64, string>
    }

    static member None = { Labels = None; Paths = Map.empty }

    member a.Columns =
        [
            if a.Labels.IsSome then
                "labels"
            if not a.Paths.IsEmpty then
                "path"
        ]

    member a.Values(n: Neighbor) =
        [
            match a.Labels with
            | Some l -> labelText l n.Index
            | None -> ()
            if not a.Paths.IsEmpty then
                a.Paths.TryFind n.Id |> Option.defaultValue ""
        ]

let printTable (queries: PackedCodes) (results: Neighbor[][]) (notes: Annotations) =
    let extra = notes.Columns
    printfn "| query | rank | id | distance |%s" (extra |> List.map (fun c -> $" {c} |") |> String.concat "")
    printfn "|---:|---:|---:|---:|%s" (extra |> List.map (fun _ -> "---|") |> String.concat "")

    results
    |> Array.iteri (fun q hits ->
        hits
        |> Array.iteri (fun rank n ->
            let cells = notes.Values n |> List.map (fun v -> $" {v} |") |> String.concat ""
            printfn "| %d | %d | %d | %d |%s" queries.Ids[q] (rank + 1) n.Id n.Distance cells))

let toJson (queries: PackedCodes) (results: Neighbor[][]) (notes: Annotations) =
    let rows =
        results
        |> Array.mapi (fun q hits ->
            let neighbors = Nodes.JsonArray()

            for n in hits do
                let o = Nodes.JsonObject()
                o["id"] <- Nodes.JsonValue.Create n.Id
                o["distance"] <- Nodes.JsonValue.Create n.Distance

                for c, v in List.zip notes.Columns (notes.Values n) do
                    o[c] <- Nodes.JsonValue.Create v

                neighbors.Add o

            let row = Nodes.JsonObject()
            row["query"] <- Nodes.JsonValue.Create queries.Ids[q]
            row["neighbors"] <- neighbors
            row :> Nodes.JsonNode)

    Nodes.JsonArray(rows).ToJsonString(JsonSerializerOptions(WriteIndented = true))

let convertWeights (input: string) (output: string) =
    let n = Lah.Torch.Serialization.WeightsConverter.Convert(input, output)
    printfn "%s: %d tensors written to %s" input n output

/// `lah eval`: a query index against a database index under one protocol, through the runs' own evaluation
/// (Scoring), so a metric means the same here as in a run's record. Index files hold codes, not the continuous
/// outputs, so DCH ranks a ball by K − 2·distance (the runs rank by the outputs' inner product).
let evaluateIndexes (protocol: Protocol) (radius: int) (db: string) (queries: string) (threads: int) =
    let dbCodes = readIndex db
    let qCodes = readIndex queries
    let dbLabels = readLabels "--index" db
    let qLabels = readLabels "--queries" queries

    if qCodes.Bits <> dbCodes.Bits then
        raise (
            ArgumentException
                $"--queries: {queries} holds {qCodes.Bits}-bit codes, --index {db} {dbCodes.Bits}-bit ones"
        )

    if qLabels.Rows.Labels <> dbLabels.Rows.Labels then
        raise (
            ArgumentException
                $"--queries: {queries} has {qLabels.Rows.Labels} labels per item, --index {db} {dbLabels.Rows.Labels}"
        )

    // No continuous outputs in an index file: Lah.Retrieval takes a null array as "rank by the codes".
    let codesOnly = Unchecked.defaultof<float32[]>

    Scoring.retrieval
        [ protocol ]
        radius
        threads
        {
            Query = Lah.Training.Inference.EncodedSet(qCodes, codesOnly)
            QueryLabels = qLabels.Rows.ToFloats()
            Database = Lah.Training.Inference.EncodedSet(dbCodes, codesOnly)
            DatabaseLabels = dbLabels.Rows.ToFloats()
            Self = None
        }
