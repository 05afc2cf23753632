/// Defaults stated once, and the combinators that make a table a few lines.
module Lah.Experiments.Defaults

open Lah.Training
open Lah.Training.Optimization

/// The folder name of a dataset's label files (and of its recipe).
let folderName d =
    match d with
    | Voc2007 -> "voc2007"
    | Coco2014 -> "coco2014"
    | Mirflickr25k -> "mirflickr25k"

/// The measured quick recipe of a dataset (Lah.Training.QuickRecipe states its numbers once; the records read them).
let recipe d = QuickRecipe.For(folderName d)

let optimizerOf (kind: OptimizerKind) (momentum: float) =
    match kind with
    | OptimizerKind.Sgd -> Sgd momentum
    | OptimizerKind.Adam -> Adam
    | _ -> AdamW

let scheduleOf (kind: ScheduleKind) (stepSize: int) (milestones: int seq) (gamma: float) =
    match kind with
    | ScheduleKind.Step -> Step(stepSize, gamma)
    | ScheduleKind.MultiStep -> MultiStep(List.ofSeq milestones, gamma)
    | ScheduleKind.Cosine -> Cosine
    | _ -> Constant

/// The paper's LAH head (GloVe, MFB, official graph τ = 0.4, p = 0.15, J = stride = 358, GCN 300 → 1024 → 2048).
let lahHead =
    {
        Embedding = Glove
        Fusion = Mfb
        Graph = OfficialGraph
        Propagation = TransposedPropagation
        MfbProjections = SharedProjections
        Tau = 0.4
        P = 0.15
        JointDim = 358
        PoolingStride = 358
        Dropout = 0.1
        GcnHidden = 1024
        ClassifierDim = 2048
    }

/// The quick recipe's LAH head: GloVe + MFB with the small sizes its features need.
let quickHeadFor d =
    let r = recipe d

    { lahHead with
        JointDim = r.JointDim
        PoolingStride = r.JointDim
        Dropout = r.MfbDropout
        GcnHidden = r.GcnHidden
        ClassifierDim = r.ClassifierDim
    }

let cauchyOf (c: Lah.Hashing.Config.HashLossConfig) =
    {
        Gamma = c.Gamma
        Lambda = c.Lambda
        Similarity =
            if c.Similarity = Lah.Hashing.Config.SimilarityKind.Iou then
                Iou
            else
                AnyShared
        Distance =
            if c.Distance = Lah.Hashing.Config.DistanceKind.NormalizedCosine then
                Normed
            else
                Euclidean
        Quantization =
            if c.Quantization = Lah.Hashing.Config.QuantizationKind.Squared then
                Squared
            else
                CauchyQuantization
        Combination =
            if c.Combination = Lah.Hashing.Config.LossCombination.Official then
                OfficialCombination
            else
                PaperCombination
        PairWeighting =
            if c.PairWeighting = Lah.Hashing.Config.PairWeighting.Official then
                OfficialWeights
            else
                PaperWeights
        Reduction =
            if c.Reduction = Lah.Hashing.Config.LossReduction.Mean then
                MeanReduction
            else
                SumReduction
    }

/// DCH's Cauchy loss as the quick recipe weighs it for a code length (λ grows with the code length).
let quickLossFor d (bits: int) = cauchyOf ((recipe d).LossFor bits)

/// The hybrid loss's defaults (ours: the paper states none; Lah.Hashing.Losses.HybridLossOptions holds the values).
let hybridLoss: HybridLoss =
    let o = Lah.Hashing.Losses.HybridLossOptions()

    {
        Alpha = o.Alpha
        Beta = o.Beta
        Lambda = o.Lambda
        Margin = o.Margin
        Negatives =
            if o.Negatives = Lah.Hashing.Losses.NegativeMining.Hardest then
                Hardest
            else
                AllNegatives
        CentersSeed = 0
    }

/// CSQ's λ (their code's 1e-4).
let csqLambda = Lah.Hashing.Losses.CsqLoss.DefaultLambda

/// HashNet's continuation per epoch and scale 10/K (their sigmoid_param), no quantization term.
let hashNet: HashNetLoss =
    let h = Lah.Hashing.Losses.HashNetLoss()

    {
        InitialBeta = h.InitialBeta
        Gamma = h.Gamma
        Power = h.Power
        Scale = h.ScaleTimesBits
        Lambda = h.Lambda
    }

/// DPSH's η on mean((|u| − 1)²).
let dpshEta = Lah.Hashing.Losses.DpshLoss.DefaultEta

let pretrainingFor d =
    let p = (recipe d).Pretraining

    {
        Epochs = p.Epochs
        BatchSize = p.BatchSize
        Optimizer = optimizerOf p.Optimizer p.Momentum
        LearningRate = p.LearningRate
        WeightDecay = p.WeightDecay
        Schedule = scheduleOf p.Schedule p.StepSize p.Milestones p.LrGamma
    }

let scenesOf (s: Lah.Data.SceneDifficulty) =
    {
        GlyphMinRadius = s.GlyphMinRadius
        GlyphMaxRadius = s.GlyphMaxRadius
        Noise = s.Noise
        MinClutter = s.MinClutter
        MaxClutter = s.MaxClutter
        MinLines = s.MinLines
        MaxLines = s.MaxLines
        ColourJitter = s.ColourJitter
        MinOccluders = s.MinOccluders
        MaxOccluders = s.MaxOccluders
        OccluderMaxSize = s.OccluderMaxSize
        MinDecoys = s.MinDecoys
        MaxDecoys = s.MaxDecoys
    }

let embeddedData dataset =
    let r = recipe dataset

    {
        Dataset = dataset
        Source = Embedded
        Root = ""
        LabelDir = ""
        Split = DchSplit
        Pool = r.PoolCount
        Train = r.TrainCount
        Query = r.QueryCount
        SceneSize = r.ImageSize
        Scenes = scenesOf r.Difficulty
        SampleRows = r.SampleRows
    }

let featureTrainingFor d =
    let h = (recipe d).Head

    {
        Mode = FeatureMode
        Optimizer = optimizerOf h.Optimizer h.Momentum
        LearningRate = h.LearningRate
        GroupRates = h.GroupLearningRates |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq
        BackboneLrMultiplier = 0.1
        WeightDecay = h.WeightDecay
        ClipNorm = h.ClipNorm
        Schedule = scheduleOf h.Schedule h.StepSize h.Milestones h.LrGamma
        Epochs = h.Epochs
        BatchSize = h.BatchSize
    }

let evaluation =
    {
        Protocols = [ DchProtocol; LahOfficialProtocol ]
        Radius = 2
        Selection = LastEpoch
        ValidationFraction = 0.0
        EachEpoch = false
    }

/// The embedded default of a dataset: a small CNN pre-trained on its scenes, LAH (GloVe + MFB) in feature mode.
let quick dataset bits =
    let r = recipe dataset

    {
        Name = "lah"
        Data = embeddedData dataset
        Backbone =
            {
                Arch = "smallcnn"
                Widths = List.ofSeq r.BackboneWidths
                Pooling =
                    if r.Pooling = Lah.Vision.GlobalPooling.Max then
                        MaxPool
                    else
                        AvgPool
                InputSize = r.ImageSize
                Weights = Pretrained(pretrainingFor dataset)
                WeightsFile = ""
            }
        Head = Lah(quickHeadFor dataset)
        Bits = bits
        Loss = Cauchy(quickLossFor dataset bits)
        Training = featureTrainingFor dataset
        Evaluation = evaluation
        Seed = 1
    }

/// The embedded default: VOC2007 at 48 bits.
let experiment = quick Voc2007 48

let quickHead = quickHeadFor Voc2007
let cauchyLoss = quickLossFor Voc2007 48
let pretraining = pretrainingFor Voc2007
let featureTraining = featureTrainingFor Voc2007

// Combinators: each returns a changed copy.
let withName name (e: Experiment) = { e with Name = name }
let withBits bits (e: Experiment) = { e with Bits = bits }

/// Sets the code length and, on embedded data, the recipe's λ for it (λ grows with the code length).
let withQuickBits bits (e: Experiment) =
    match e.Loss, e.Data.Source with
    | Cauchy c, Embedded ->
        { e with
            Bits = bits
            Loss =
                Cauchy
                    { c with
                        Lambda = (quickLossFor e.Data.Dataset bits).Lambda
                    }
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
let mapLah f (e: Experiment) =
    match e.Head with
    | Lah h -> { e with Head = Lah(f h) }
    | Classifier h -> { e with Head = Classifier(f h) }
    | _ -> e

let withFusion fusion =
    mapLah (fun h -> { h with Fusion = fusion })

let withEmbedding embedding =
    mapLah (fun h -> { h with Embedding = embedding })

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
