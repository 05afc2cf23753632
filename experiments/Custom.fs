/// Your own labelled images in F# (`data.dataset.custom`; src/Lah.Data/README.md, "Custom datasets"): a base record
/// for a folder of photographs and a retrieval table of the trained methods over it. A grid is a list of records, as
/// for the paper's tables: `Reproduce.reproduce store options Engine.execute (Custom.target …) false` runs it and
/// writes its report, the dataset titled by its `name`.
module Lah.Experiments.Catalog.Custom

open Lah.Experiments
open Lah.Experiments.Defaults
open Lah.Hashing.Config

/// A custom dataset's data block: a pool is split DCH-style into `queries` queries and `train` training images (given
/// lists ignore both).
let data (custom: CustomData) (queries: int) (train: int) =
    { embeddedData Voc2007 with
        Dataset = Custom custom
        Source = Official
        Pool = 0
        Train = train
        Query = queries
        SampleRows = false
    }

/// The quick profile on photographs: a small CNN (32-64-128, average pooling) at 64 px pre-trained here on the
/// training images (15 epochs), then LAH in feature mode; LAH's graph takes GloVe-style vectors when the dataset has a
/// vector file, one-hot label embeddings otherwise.
let small (custom: CustomData) (queries: int) (train: int) =
    { experiment with
        Name = "lah"
        Data = data custom queries train
        Backbone =
            { experiment.Backbone with
                InputSize = 64
            }
    }
    |> withEmbedding (
        if custom.Vectors = "" then
            WordEmbedding.OneHot
        else
            WordEmbedding.Glove
    )

/// The methods every loss trains (feature mode or end to end): LAH with the record's embedding and DCH's peers.
let methods: (string * (Experiment -> Experiment)) list =
    [
        "LAH", id
        "DCH", asDch
        "Hybrid (centers + alignment)", asDch >> withLoss (Hybrid hybridLoss)
        "CSQ", asDch >> withLoss (Csq csqLambda)
        "HashNet", asDch >> withLoss (HashNet hashNet)
        "DPSH", asDch >> withLoss (Dpsh dpshEta)
    ]

/// `methods` × `bits` on one custom dataset from `baseline` (e.g. `small`), with the sanity rows.
let target (id: string) (baseline: Experiment) (bits: int list) =
    let dataset = baseline.Data.Dataset

    RetrievalTable(
        Target.withSanityRows
            {
                Id = id
                Title = $"{Target.datasetTitle dataset} — MAP within Hamming radius {baseline.Evaluation.Radius}"
                Cells =
                    [
                        for label, change in methods do
                            for e in grid bits withBits (change baseline |> withName label) ->
                                {
                                    Row = label
                                    Dataset = dataset
                                    Bits = e.Bits
                                    Experiment = e
                                }
                    ]
                Published = []
            }
    )
