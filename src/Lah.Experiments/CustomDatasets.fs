/// A record's custom dataset (`data.dataset.custom`): its options for `Lah.Data.CustomDataset`, the dataset loaded and
/// checked once per process for the same files, and its fingerprint, which the run key holds instead of the paths.
module Lah.Experiments.CustomDatasets

open System
open System.Collections.Concurrent
open System.IO
open Lah.Data
open Lah.Hashing.Config

/// A custom record's own errors, as (dotted YAML path, what was expected); `ExperimentFile.errors` lists them first.
let errors (e: Experiment) =
    let d = e.Data

    [
        match d.Dataset with
        | Custom c ->
            let at field = "data.dataset.custom." + field

            if d.Source = Embedded then
                Some("data.source", "a custom dataset is read from its own files: expected source 'official'")

            if c.Root = "" then
                Some(at "root", "expected the folder the listed image paths are relative to")

            if c.Labels = "" then
                Some(at "labels", "expected labels.txt: one label name per line, in the lists' column order")

            let lists =
                [ "train", c.Lists.Train; "database", c.Lists.Database; "query", c.Lists.Query ]

            if c.Pool = "" then
                for name, file in lists do
                    if file = "" then
                        Some(at $"lists.{name}", "expected the three lists {train, database, query}, or one pool list")
            elif lists |> List.exists (fun (_, file) -> file <> "") then
                Some(at "pool", "expected either the three lists or one pool list, not both")

            if d.Root <> "" then
                Some("data.root", "a custom dataset's images are under data.dataset.custom.root; leave data.root out")

            if d.LabelDir <> "" then
                Some(
                    "data.label-dir",
                    "a custom dataset's labels and vectors are data.dataset.custom.labels and .vectors"
                )

            if d.Split <> DchSplit then
                Some(
                    "data.split",
                    "a custom dataset is split by its lists, or DCH-style from its pool (data.query queries, data.train training images): expected dch-split"
                )

            match e.Head with
            | Lah h
            | Classifier h when
                c.Vectors = ""
                && h.Embedding <> WordEmbedding.OneHot
                && h.Embedding <> WordEmbedding.None
                ->
                Some(
                    at "vectors",
                    $"head embedding '{Tree.enumName typeof<WordEmbedding> h.Embedding}' needs a word-vector file for the labels; "
                    + "give one, or use embedding one-hot, or head dch-head"
                )
            | _ -> ()
        | Voc2007
        | Coco2014
        | Mirflickr25k -> ()
    ]
    |> List.choose id

/// A custom dataset's title in reports: its `name`, else the folder name of its labels file.
let title (c: CustomData) =
    if c.Name <> "" then
        c.Name
    else
        match Path.GetDirectoryName(Path.GetFullPath c.Labels) with
        | null -> "custom"
        | dir ->
            match string (Path.GetFileName dir) with
            | "" -> "custom"
            | name -> name

/// The library's options for a record's custom dataset; a pool takes `data.query` queries and `data.train` training images.
let options (c: CustomData) (d: Data) =
    let orNull (s: string) = if s = "" then null else s

    CustomDatasetOptions(
        Root = c.Root,
        Labels = c.Labels,
        Lists =
            (if c.Pool = "" then
                 CustomLists(c.Lists.Train, c.Lists.Database, c.Lists.Query)
             else
                 null),
        Pool =
            (if c.Pool = "" then
                 null
             else
                 CustomPool(c.Pool, d.Query, d.Train)),
        Vectors = orNull c.Vectors,
        StripPrefix = orNull c.StripPrefix,
        AllowOverlap = c.AllowOverlap,
        Name = title c
    )

// What a load depends on besides the record: each file's content (a stored `.gz` copy stands for its name); a file
// too large to read on every key (a word-vector file of gigabytes) by its size and time.
let private stamp (path: string) =
    let full = Path.GetFullPath path

    match [ full; full + ".gz" ] |> List.tryFind File.Exists with
    | None -> $"{full}|missing"
    | Some f ->
        let info = FileInfo f

        if info.Length <= (64L <<< 20) then
            use s = File.OpenRead f
            $"{f}|{Convert.ToHexString(Security.Cryptography.SHA256.HashData s)}"
        else
            $"{f}|{info.Length}|{info.LastWriteTimeUtc.Ticks}"

let private loaded = ConcurrentDictionary<string, Lazy<CustomDataset>>()

/// The dataset of a record's custom block, loaded and checked (`CustomDataset.Load`: every problem as file:line, in
/// one `DataFormatException`; the record's own errors first, naming the field). A pool is split with the
/// record's seed; given lists ignore it. Loaded once per process while its labels, lists and vectors files stay as
/// they were; a failed load is not kept.
let load (e: Experiment) (c: CustomData) : CustomDataset =
    match errors e with
    | (path, msg) :: _ -> raise (ArgumentException $"{path}: {msg}")
    | [] -> ()

    let d = e.Data
    let seed = if c.Pool = "" then 0UL else uint64 e.Seed

    let files =
        [ c.Labels; c.Pool; c.Lists.Train; c.Lists.Database; c.Lists.Query; c.Vectors ]
        |> List.map (fun f -> if f = "" then "-" else stamp f)

    let key =
        String.concat
            "\n"
            (files
             @ [
                 Path.GetFullPath c.Root
                 c.StripPrefix
                 string c.AllowOverlap
                 c.Name
                 (if c.Pool = "" then "" else $"{d.Query}/{d.Train}")
                 string seed
             ])

    try
        loaded.GetOrAdd(key, (fun _ -> lazy (CustomDataset.Load(options c d, seed)))).Value
    with _ ->
        loaded.TryRemove key |> ignore
        reraise ()

/// The fingerprint of a record's custom dataset (labels, item ids, split, vectors: `CustomDataset.Fingerprint`), "" for
/// the built-in datasets. It joins the run key as a weights file's digest does: moving the folder keeps the key,
/// changing a label changes it.
let fingerprint (e: Experiment) =
    match e.Data.Dataset with
    | Custom c -> (load e c).Fingerprint
    | Voc2007
    | Coco2014
    | Mirflickr25k -> ""
