/// Data of an experiment: the dataset, its split, the label graph's inputs. Everything a run needs from disk is
/// checked here, before any training starts.
module Lah.Experiments.EngineData

open System
open System.IO
open Lah.Data

type LoadedData =
    {
        Dataset: IMultiLabelDataset
        Split: RetrievalSplit
        /// The labels' word vectors of an embedding (None: one-hot or none), from the dataset's label folder or the
        /// custom dataset's vector file.
        WordVectors: Lah.Hashing.Config.WordEmbedding -> LabelEmbedding option
        /// Identifies the rendered pixels of an embedded dataset (a custom dataset's fingerprint) for the feature cache.
        DataTag: string
        /// What a custom dataset's check warns of (labels in no training image, images without labels), file:line each.
        Warnings: string list
    }

let folderName = Defaults.folderName

/// The label files and word vectors shipped with the repository (or LAH_DATA_DIR / ../shared/data).
let labelDir (d: DatasetName) =
    DataPaths.LahLabelDirectory(folderName d)

/// The label rows that drive the embedded scenes: the training list of each dataset.
let private rowsFile (d: DatasetName) =
    match d with
    | Voc2007 -> "classification_trainval.csv"
    | Coco2014 -> "train.txt"
    | Mirflickr25k -> "train.csv"
    | Custom _ -> invalidArg "data.source" "a custom dataset has no embedded scenes"

let wordVectorFile (dir: string) (w: Lah.Hashing.Config.WordEmbedding) =
    let name =
        match w with
        | Lah.Hashing.Config.WordEmbedding.Glove -> Some "wordvec_glove.txt"
        | Lah.Hashing.Config.WordEmbedding.GoogleNews -> Some "wordvec_googlenews.txt"
        | Lah.Hashing.Config.WordEmbedding.FastText -> Some "wordvec_fasttext.txt"
        | Lah.Hashing.Config.WordEmbedding.OneHot
        | Lah.Hashing.Config.WordEmbedding.None -> None
        | other -> invalidArg "head.lah.embedding" $"unknown word embedding {other}"

    name |> Option.map (fun n -> Path.Combine(dir, n))

/// The word vectors shipped in a built-in dataset's label folder.
let private shippedVectors (dir: string) (dataset: IMultiLabelDataset) w =
    wordVectorFile dir w
    |> Option.map (fun file -> LabelEmbedding.FromFile(dataset.LabelNames, file))

/// A record's custom dataset: `CustomDataset.Load`'s checks (every problem as file:line) before anything else.
let private custom (e: Experiment) (c: CustomData) : LoadedData =
    let loaded = CustomDatasets.load e c

    {
        Dataset = loaded.Dataset
        Split = loaded.Split
        WordVectors =
            fun w ->
                match w, loaded.Embedding with
                | Lah.Hashing.Config.WordEmbedding.OneHot, _
                | Lah.Hashing.Config.WordEmbedding.None, _ -> None
                | _, null ->
                    raise (
                        ArgumentException
                            $"data.dataset.custom.vectors: head embedding '{Tree.enumName typeof<Lah.Hashing.Config.WordEmbedding> w}' needs a word-vector file for the labels"
                    )
                | _, v -> Some v
        DataTag = loaded.Fingerprint
        Warnings = loaded.Report.Warnings |> Seq.map string |> List.ofSeq
    }

let private builtIn (e: Experiment) : LoadedData =
    let d = e.Data

    let dir =
        if d.LabelDir = "" then
            labelDir d.Dataset
        elif Directory.Exists d.LabelDir then
            d.LabelDir
        else
            raise (DirectoryNotFoundException $"data.label-dir: the folder {d.LabelDir} does not exist")

    let seed = uint64 e.Seed

    match d.Source with
    | Embedded ->
        let file = Path.Combine(dir, rowsFile d.Dataset)

        let scenes =
            EmbeddedDatasets.ScenesFromLabelFile(file, d.Pool, seed, d.SceneSize, d.Scenes, d.SampleRows)

        let split =
            match d.Split with
            | DchSplit -> Splits.Dch(scenes.Count, d.Query, d.Train, seed)
            | LahOfficialSplit -> Splits.SeededLah(scenes.Count, d.Query, seed)
            | NamedSplit name ->
                invalidArg "data.split" $"the named protocol {name} needs source 'official', not the embedded scenes"

        {
            Dataset = scenes
            Split = split
            WordVectors = shippedVectors dir scenes
            DataTag = $"scenes-seed{seed}-size{d.SceneSize}-{d.Scenes}-sample{d.SampleRows}"
            Warnings = []
        }
    | Official ->
        if not (Directory.Exists d.Root) then
            raise (DirectoryNotFoundException $"data.root: the dataset folder {d.Root} does not exist")

        let protocol =
            match d.Split with
            | DchSplit -> "dch"
            | LahOfficialSplit -> "lah"
            | NamedSplit name -> name

        // Labels and splits from the root's own annotation files (VOC XML and ImageSets, COCO's instances JSON,
        // MIRFLICKR's label files), as a user's downloads are read; protocols on the LAH lists read those lists.
        let pool = DatasetRoot.LoadForProtocol(folderName d.Dataset, protocol, d.Root, dir)
        let split = Splits.ForPool(folderName d.Dataset, protocol, pool, seed)

        {
            Dataset = pool.Pool
            Split = split
            WordVectors = shippedVectors dir pool.Pool
            DataTag = ""
            Warnings = []
        }

/// A record's dataset and split, everything on disk checked up front.
let load (e: Experiment) : LoadedData =
    match e.Data.Dataset with
    | Custom c -> custom e c
    | Voc2007
    | Coco2014
    | Mirflickr25k -> builtIn e

/// Every image of the split must exist and decode as far as its header: one error listing the bad files, up front.
let checkImages (data: LoadedData) =
    match data.Dataset with
    | :? SyntheticScenes -> ()
    | ds ->
        DatasetCheck.Validate(
            ds,
            Seq.concat [ data.Split.Train; data.Split.Query; data.Split.Database ]
            |> Seq.distinct
        )
