/// Defaults stated once, and the combinators that make a table a few lines.
module Lah.Experiments.Defaults

/// The paper's LAH head (GloVe, MFB, official graph τ = 0.4, p = 0.15, J = stride = 358, GCN 300 → 1024 → 2048).
let lahHead =
    {
        Embedding = Glove
        Fusion = Mfb
        Graph = OfficialGraph
        Tau = 0.4
        P = 0.15
        JointDim = 358
        PoolingStride = 358
        Dropout = 0.1
        GcnHidden = 1024
        ClassifierDim = 2048
    }

/// DCH's Cauchy loss as the official LAH code weighs it (γ = 1, λ on the squared quantisation term).
let cauchyLoss =
    {
        Gamma = 1.0
        Lambda = 0.1
        Similarity = Iou
        Distance = Normed
        Quantization = Squared
        Combination = OfficialCombination
    }

let pretraining =
    {
        Epochs = 12
        BatchSize = 32
        Optimizer = Adam
        LearningRate = 0.002
        WeightDecay = 1e-4
        Schedule = Cosine
    }

let embeddedData dataset =
    {
        Dataset = dataset
        Source = Embedded
        Root = ""
        Split = DchSplit
        Pool = 3000
        Train = 2000
        Query = 500
        SceneSize = 64
    }

let featureTraining =
    {
        Mode = FeatureMode
        Optimizer = Adam
        LearningRate = 0.001
        GroupRates = Map.empty
        BackboneLrMultiplier = 0.1
        WeightDecay = 1e-4
        ClipNorm = 10.0
        Schedule = Cosine
        Epochs = 15
        BatchSize = 64
    }

let evaluation =
    {
        Protocols = [ DchProtocol ]
        Radius = 2
        Selection = LastEpoch
        ValidationFraction = 0.0
        EachEpoch = false
    }

/// The embedded default: a small CNN pre-trained on the scenes, LAH (GloVe + MFB) in feature mode, 48 bits.
let experiment =
    {
        Name = "lah"
        Data = embeddedData Voc2007
        Backbone =
            {
                Arch = "smallcnn"
                Pooling = MaxPool
                InputSize = 64
                Weights = Pretrained pretraining
                WeightsFile = ""
            }
        Head = Lah lahHead
        Bits = 48
        Loss = Cauchy cauchyLoss
        Training = featureTraining
        Evaluation = evaluation
        Seed = 1
    }

// Combinators: each returns a changed copy.
let withName name (e: Experiment) = { e with Name = name }
let withBits bits (e: Experiment) = { e with Bits = bits }
let withSeed seed (e: Experiment) = { e with Seed = seed }
let withDataset dataset (e: Experiment) = { e with Data = { e.Data with Dataset = dataset } }
let withHead head (e: Experiment) = { e with Head = head }
let withEpochs epochs (e: Experiment) = { e with Training = { e.Training with Epochs = epochs } }

/// Changes the LAH head's fields (a no-op on other heads).
let mapLah f (e: Experiment) =
    match e.Head with
    | Lah h -> { e with Head = Lah(f h) }
    | Classifier h -> { e with Head = Classifier(f h) }
    | _ -> e

let withFusion fusion = mapLah (fun h -> { h with Fusion = fusion })
let withEmbedding embedding = mapLah (fun h -> { h with Embedding = embedding })

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
    [ for f in fs do
          for g in gs -> g (f e) ]
