/// `lah data render`: the embedded scenes written as the three datasets' downloads (Lah.Data.DatasetRenderer), by
/// default at the quick recipe's scene counts, so a rehearsal of the real-data route reads what the quick profile
/// trains on.
module Lah.Experiments.DataCommand

open System
open System.Diagnostics
open System.IO
open Argu
open Lah.Data
open Lah.Experiments.Cli

/// Images per part when no --count is given: the quick recipe's training and query counts (VOC trainval / test,
/// COCO train2014 / val2014), and for MIRFLICKR, whose layout has no parts, their sum as im1..imN.
let defaultCounts (dataset: string) : Collections.Generic.IReadOnlyDictionary<string, int> =
    let d =
        [ DatasetName.Voc2007; DatasetName.Coco2014; DatasetName.Mirflickr25k ]
        |> List.find (fun d -> Defaults.folderName d = dataset)
        |> Defaults.embeddedData

    match List.ofSeq (DatasetRenderer.PartNames dataset) with
    | [ train; test ] -> readOnlyDict [ train, d.Train; test, d.Query ]
    | [ images ] -> readOnlyDict [ images, d.Pool ]
    | parts -> invalidOp $"{dataset}: unexpected parts {parts}"

let private datasetsOf (d: RenderDataset) =
    match d with
    | RenderDataset.Voc2007 -> [ "voc2007" ]
    | RenderDataset.Coco2014 -> [ "coco2014" ]
    | RenderDataset.Mirflickr25k -> [ "mirflickr25k" ]
    | RenderDataset.All -> List.ofSeq LahDatasets.Names

let private megabytes (bytes: int64) = float bytes / 1e6

let render (args: ParseResults<RenderArgs>) =
    let datasets = datasetsOf (args.GetResult RenderArgs.Dataset)
    let root = Path.GetFullPath(args.GetResult RenderArgs.Out)
    let size = args.GetResult(RenderArgs.Size, defaultValue = 32)
    let count = args.TryGetResult RenderArgs.Count
    let seed = args.GetResult(RenderArgs.Seed, defaultValue = 1)

    if size < 8 || size > 4096 then
        raise (ArgumentException $"--size {size}: expected 8..4096 pixels")

    match count with
    | Some n when n < 1 -> raise (ArgumentException $"--count {n}: expected at least 1")
    | _ -> ()

    if seed < 0 then
        raise (ArgumentException $"--seed {seed}: expected ≥ 0")

    // Every target is checked first, so `all` never stops half-way on a folder that is in use.
    for d in datasets do
        DatasetRenderer.CheckTarget(d, root)

    let total = Stopwatch.StartNew()
    let mutable files = 0
    let mutable bytes = 0L

    for d in datasets do
        let clock = Stopwatch.StartNew()

        let options =
            match count with
            | Some n -> RenderOptions(Size = size, Seed = uint64 seed, Count = Nullable n)
            | None -> RenderOptions(Size = size, Seed = uint64 seed, PartCounts = defaultCounts d)

        let s = DatasetRenderer.Render(d, root, options)
        files <- files + s.Files
        bytes <- bytes + s.Bytes

        let parts =
            s.Parts |> Seq.map (fun p -> $"{p.Images:N0} {p.Part}") |> String.concat " + "

        printfn
            "%s: %s at %d px → %s (%d files, %.1f MB) in %.1f s"
            d
            parts
            size
            s.Folder
            s.Files
            (megabytes s.Bytes)
            clock.Elapsed.TotalSeconds

    printfn
        "rendered %s into %s: %d files, %.1f MB in %.1f s"
        (String.concat ", " datasets)
        root
        files
        (megabytes bytes)
        total.Elapsed.TotalSeconds

    0

let run (args: ParseResults<DataArgs>) =
    match args.GetSubCommand() with
    | Render r -> render r
