/// The executor behind `reproduce` and `run`: an experiment record becomes calls into the C# libraries.
/// Data → backbone (pre-trained or loaded, cached by content hash) → features (cached) → head → trainer → codes →
/// metrics. Shared work (backbones, features) is keyed by the hash of exactly the fields it depends on.
module Lah.Experiments.Engine

open System
open System.IO
open Lah.Data
open Lah.Hashing.Models
open Lah.Torch
open Lah.Training.Caching
open Lah.Training.Features
open Lah.Vision
open Lah.Experiments.EngineData
open Lah.Experiments.EngineEval
open Lah.Experiments.Results
open Lah.Experiments.Runner

/// What a backbone depends on: its data, its own settings and the seed.
type BackboneKey =
    {
        Data: Data
        Backbone: Lah.Experiments.Backbone
        Seed: int
    }

let backboneKey (e: Experiment) =
    let extra =
        match e.Backbone.Weights with
        | WeightsFile -> hashOf { e with Head = DchHead } // the file's digest enters through hashOf
        | _ -> ""

    Tree.contentHash
        {
            Data = e.Data
            Backbone = e.Backbone
            Seed = e.Seed
        }
        extra

let toWordEmbedding (w: Lah.Experiments.WordEmbedding) =
    match w with
    | Glove -> Lah.Hashing.Config.WordEmbedding.Glove
    | GoogleNews -> Lah.Hashing.Config.WordEmbedding.GoogleNews
    | FastText -> Lah.Hashing.Config.WordEmbedding.FastText
    | OneHot -> Lah.Hashing.Config.WordEmbedding.OneHot
    | NoEmbedding -> Lah.Hashing.Config.WordEmbedding.None

let toLossConfig (loss: Loss) =
    match loss with
    | Cauchy c ->
        Lah.Hashing.Config.HashLossConfig(
            Gamma = c.Gamma,
            Lambda = c.Lambda,
            Similarity =
                (match c.Similarity with
                 | Iou -> Lah.Hashing.Config.SimilarityKind.Iou
                 | AnyShared -> Lah.Hashing.Config.SimilarityKind.Original),
            Distance =
                (match c.Distance with
                 | Normed -> Lah.Hashing.Config.DistanceKind.NormalizedCosine
                 | Euclidean -> Lah.Hashing.Config.DistanceKind.Euclidean),
            Quantization =
                (match c.Quantization with
                 | Squared -> Lah.Hashing.Config.QuantizationKind.Squared
                 | CauchyQuantization -> Lah.Hashing.Config.QuantizationKind.Cauchy),
            Combination =
                (match c.Combination with
                 | OfficialCombination -> Lah.Hashing.Config.LossCombination.Official
                 | PaperCombination -> Lah.Hashing.Config.LossCombination.Paper)
        )
    | _ -> Lah.Hashing.Config.HashLossConfig()

/// The C# head configuration of a LAH (or classifier) head for this data and feature size.
let lahConfig (e: Experiment) (h: LahHead) (labels: int) (imageDim: int) (wordDim: int) =
    Lah.Hashing.Config.LahConfig(
        LabelCount = labels,
        HashBits = e.Bits,
        ImageDim = imageDim,
        WordEmbedding = toWordEmbedding h.Embedding,
        WordDim = wordDim,
        GcnHidden = h.GcnHidden,
        ClassifierDim = h.ClassifierDim,
        GraphVariant =
            (match h.Graph with
             | OfficialGraph -> Lah.Hashing.Graph.LabelGraphVariant.Official
             | PaperGraph -> Lah.Hashing.Graph.LabelGraphVariant.Paper),
        Tau = h.Tau,
        P = h.P,
        Fusion =
            (match h.Fusion with
             | DotProduct -> Lah.Hashing.Config.FusionKind.DotProduct
             | _ -> Lah.Hashing.Config.FusionKind.Mfb),
        JointDim = h.JointDim,
        PoolingStride = h.PoolingStride,
        Dropout = h.Dropout,
        Loss = toLossConfig e.Loss
    )

/// The head of an experiment, with the label graph built from the training split only.
let buildHead (e: Experiment) (data: LoadedData) (imageDim: int) : IHashHead =
    let labels = data.Dataset.LabelNames
    let r = labels.Count

    match e.Head with
    | DchHead -> new DchModel(imageDim, r, e.Bits)
    | Lah h
    | Classifier h ->
        let vectors =
            match wordVectorFile data.LabelDir h.Embedding with
            | Some file -> Some(LabelEmbedding.FromFile(labels, file))
            | None -> None

        let wordDim = vectors |> Option.map (fun v -> v.Dim) |> Option.defaultValue r
        let cfg = lahConfig e h r imageDim wordDim
        let cooc = LabelCooccurrence.FromTraining(data.Dataset, data.Split)
        let nums = cooc.Nums |> Array.map float
        let adj = Array.init (r * r) (fun k -> float cooc.Adj[k / r, k % r])
        Torch.ManualSeed(int64 e.Seed)
        HashHeads.Create(cfg, vectors |> Option.map (fun v -> v.Data) |> Option.toObj, ReadOnlySpan nums, ReadOnlySpan adj)
    | other -> invalidArg "head" $"{other} has no trained head"

/// Runs one experiment.
let execute (ctx: RunContext) (e: Experiment) : RunOutput =
    raise (NotImplementedException "engine: pending")
