/// Defaults stated once, and the combinators that make a table a few lines. The quick profile's values (the embedded
/// default) were measured; src/Lah.Experiments/README.md ("Quick profile") says how each was found.
module Lah.Experiments.Defaults

open Lah.Hashing.Config
open Lah.Hashing.Losses

/// The folder name of a dataset's label files (a custom dataset names its own files: "custom").
let folderName d =
    match d with
    | Voc2007 -> "voc2007"
    | Coco2014 -> "coco2014"
    | Mirflickr25k -> "mirflickr25k"
    | Custom _ -> "custom"

/// A custom dataset's fields left out of YAML: nothing given (`ExperimentFile.errors` names what is missing).
let customData =
    {
        Root = ""
        Labels = ""
        Lists =
            {
                Train = ""
                Database = ""
                Query = ""
            }
        Pool = ""
        Vectors = ""
        StripPrefix = ""
        AllowOverlap = false
        Name = ""
    }

/// The paper's LAH head: GloVe + MFB, official graph τ = 0.4, p = 0.15, J = stride = 358, GCN 300 → 1024 → 2048
/// (the official demos' values; LahHeadOptions' defaults).
let lahHead = LahHeadOptions()

/// The quick profile's LAH head: GloVe + MFB at the small sizes its 128-wide features need (GCN 300 → 128 → 128,
/// J = stride = 64, one fused value per label), dropout 0.1.
let quickHead =
    LahHeadOptions(JointDim = 64, PoolingStride = 64, Dropout = 0.1, GcnHidden = 128, ClassifierDim = 128)

/// The quick profile's Cauchy loss: γ = 1, IOU similarity, normalised cosine distance, squared quantisation, the
/// official combination; λ grows with the code length. λ = 0.1 below 32 bits (the official λ = 2 pulls codes to ±1
/// before they separate: MAP@H≤2 0.04–0.10 lower at 16 bits, and LSH beat both heads on COCO and MIRFLICKR); λ = 0.5
/// from 32 bits on (with 0.1 the test MAP fell over the epochs at 32 bits for DCH and at 128 bits on COCO).
let quickLoss (bits: int) =
    HashLossConfig(Lambda = (if bits >= 32 then 0.5 else 0.1))

/// The hybrid loss's defaults (ours: the paper states none; HybridLossOptions holds and documents them).
let hybridLoss = HybridLossOptions()

/// CSQ's λ (their code's 1e-4).
let csqLambda = CsqLoss.DefaultLambda

/// HashNet's continuation per epoch and scale 10/K (their sigmoid_param), no quantization term.
let hashNet = HashNetOptions()

/// DPSH's η on mean((|u| − 1)²).
let dpshEta = DpshLoss.DefaultEta

/// Classification pre-training of the quick profile's small CNN: Adam 3e-3, cosine, batch 64, weight decay 1e-4,
/// 15 epochs; COCO 35 (80 long-tailed labels: held-out cls mAP 44.4 after 10 epochs, 72.9 after 35).
let pretrainingFor d =
    {
        Epochs =
            match d with
            | Coco2014 -> 35
            | Voc2007
            | Mirflickr25k
            | Custom _ -> 15
        BatchSize = 64
        Optimizer = Adam
        LearningRate = 3e-3
        WeightDecay = 1e-4
        Schedule = Cosine
    }

/// Pre-training clips the gradient norm at 10, as head training does; not a record field (a field would change every
/// record's hash), stated here once.
let pretrainingClipNorm = 10.0

/// The embedded scenes of a dataset: 32-px scenes drawn from its real label rows, a seeded DCH split of 500 queries
/// and 2,000 training items (COCO 4,000: rare labels need examples), the training items being the database.
/// MIRFLICKR's train.csv is sorted by class, so its rows are sampled.
let embeddedData dataset =
    let train =
        match dataset with
        | Coco2014 -> 4000
        | Voc2007
        | Mirflickr25k
        | Custom _ -> 2000

    {
        Dataset = dataset
        Source = Embedded
        Root = ""
        LabelDir = ""
        Split = DchSplit
        Pool = train + 500
        Train = train
        Query = 500
        SceneSize = 32
        Scenes = Lah.Data.SceneDifficulty.Default
        SampleRows = (dataset = Mirflickr25k)
    }

/// Head training in feature mode: Adam 1e-3 with cosine decay, batch 64, no weight decay, clipping at 10, 15 epochs
/// (COCO 10). The official SGD lr 0.1 collapsed every head on these features.
let featureTrainingFor d =
    {
        Mode = FeatureMode
        Optimizer = Adam
        LearningRate = 1e-3
        GroupRates = Map.empty
        BackboneLrMultiplier = 0.1
        WeightDecay = 0.0
        ClipNorm = 10.0
        Schedule = Cosine
        Epochs =
            match d with
            | Coco2014 -> 10
            | Voc2007
            | Mirflickr25k
            | Custom _ -> 15
        BatchSize = 64
    }

let evaluation =
    {
        Protocols = [ DchProtocol; LahOfficialProtocol ]
        Radius = 2
        Selection = Lah.Training.EpochSelection.LastEpoch
        ValidationFraction = 0.0
        EachEpoch = false
    }

/// The embedded default of a dataset: a small CNN (32-64-128, average pooling, 32 px) pre-trained on its scenes,
/// LAH (GloVe + MFB) in feature mode.
let quick dataset bits =
    {
        Name = "lah"
        Data = embeddedData dataset
        Backbone =
            {
                Arch = "smallcnn"
                Widths = [ 32; 64; 128 ]
                Pooling = Lah.Vision.GlobalPooling.Average
                InputSize = 32
                Weights = Pretrained(pretrainingFor dataset)
                WeightsFile = ""
            }
        Head = Lah quickHead
        Bits = bits
        Loss = Cauchy(quickLoss bits)
        Training = featureTrainingFor dataset
        Evaluation = evaluation
        Seed = 1
    }

/// The embedded default: VOC2007 at 48 bits.
let experiment = quick Voc2007 48

/// Each record type's default, for YAML that switches a union case (e.g. to `loss: {hybrid: {alpha: 2}}`): the new
/// case's missing fields come from here. C# option records not listed keep their library defaults.
let typeDefaults: obj list =
    [
        experiment
        experiment.Data
        experiment.Backbone
        experiment.Training
        experiment.Evaluation
        pretrainingFor Voc2007
        quickHead
        quickLoss 48
        customData
    ]

// Combinators: each returns a changed copy.
let withName name (e: Experiment) = { e with Name = name }
let withBits bits (e: Experiment) = { e with Bits = bits }

/// Sets the code length and, on embedded data, the quick profile's λ for it (λ grows with the code length).
let withQuickBits bits (e: Experiment) =
    match e.Loss, e.Data.Source with
    | Cauchy c, Embedded ->
        { e with
            Bits = bits
            Loss = Cauchy(c |> Options.set <@ fun c -> c.Lambda @> (quickLoss bits).Lambda)
        }
    | _ -> { e with Bits = bits }

let withSeed seed (e: Experiment) = { e with Seed = seed }

let withDataset dataset (e: Experiment) =
    { e with
        Data = { e.Data with Dataset = dataset }
    }

let withHead head (e: Experiment) = { e with Head = head }

let withEpochs epochs (e: Experiment) =
    { e with
        Training = { e.Training with Epochs = epochs }
    }

/// Changes the LAH head's fields (a no-op on other heads).
let mapLah (f: LahHeadOptions -> LahHeadOptions) (e: Experiment) =
    match e.Head with
    | Lah h -> { e with Head = Lah(f h) }
    | Classifier h -> { e with Head = Classifier(f h) }
    | DchHead
    | Lsh
    | RandomCodes
    | Collapsed -> e

let withFusion fusion =
    mapLah (Options.set <@ fun (h: LahHeadOptions) -> h.Fusion @> fusion)

let withEmbedding embedding =
    mapLah (Options.set <@ fun (h: LahHeadOptions) -> h.Embedding @> embedding)

let withLoss loss (e: Experiment) = { e with Loss = loss }

/// DCH in the same setting: the hash layer on the image feature alone.
let asDch (e: Experiment) = { e with Head = DchHead }

/// A sanity row on the same features: nothing is trained.
let asSanity head (e: Experiment) =
    { e with
        Head = head
        Loss = NoLoss
        Training = { e.Training with Epochs = 0 }
    }

/// One experiment per value: `grid [16; 32; 48; 64; 128] withBits base`.
let grid values (f: 'a -> Experiment -> Experiment) (e: Experiment) = values |> List.map (fun v -> f v e)

/// Every combination of two lists of changes.
let cross (fs: (Experiment -> Experiment) list) (gs: (Experiment -> Experiment) list) (e: Experiment) =
    [
        for f in fs do
            for g in gs -> g (f e)
    ]
