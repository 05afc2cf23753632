/// Validation of experiment values and their YAML files.
module Lah.Experiments.ExperimentFile

// Reflection over records and the JSON DOM hand out nullable values; missing ones are checked where they are read.
#nowarn "3261"

open System.IO
open Lah.Hashing.Config
open Lah.Experiments.Tree
open Lah.Experiments.Yaml

/// Every value out of range, as (dotted YAML path, what was expected); empty when the experiment can run.
let errors (e: Experiment) =
    [
        let positive path (v: int) =
            if v <= 0 then
                Some(path, $"expected a positive integer, got {v}")
            else
                None

        let rate path (v: float) =
            if not (v > 0.0) || System.Double.IsInfinity v then
                Some(path, $"expected a positive number, got {v}")
            else
                None

        let nonNegative path (v: float) =
            if not (v >= 0.0) || System.Double.IsInfinity v then
                Some(path, $"expected a number ≥ 0, got {v}")
            else
                None

        let checkOptimizer path o =
            match o with
            | Sgd m when not (m >= 0.0 && m < 1.0) -> Some(path + ".sgd", $"expected a momentum in [0, 1), got {m}")
            | _ -> None

        let checkSchedule path s =
            match s with
            | Step(every, gamma) when every <= 0 || not (gamma > 0.0) ->
                Some(path, $"step: expected every > 0 and gamma > 0, got {every} and {gamma}")
            | MultiStep(ms, gamma) when List.exists (fun m -> m <= 0) ms || not (gamma > 0.0) ->
                Some(path, $"multi-step: expected positive milestones and gamma > 0, got {ms} and {gamma}")
            | _ -> None

        if e.Bits < 8 || e.Bits > 1024 then
            Some("bits", $"expected a code length from 8 to 1024, got {e.Bits}")

        let d = e.Data
        positive "data.train" d.Train
        positive "data.query" d.Query

        if d.Source = Embedded && not d.Dataset.IsCustom then
            positive "data.pool" d.Pool
            positive "data.scene-size" d.SceneSize

            if d.Pool > 0 && d.Train + d.Query > d.Pool then
                Some("data.pool", $"expected at least train + query = {d.Train + d.Query} images, got {d.Pool}")
        elif d.Root = "" && not d.Dataset.IsCustom then
            Some("data.root", "expected the dataset root for source 'official'")

        match d.Split with
        | NamedSplit _ when d.Source = Embedded ->
            Some(
                "data.split",
                "a named protocol needs source 'official' (the embedded scenes take dch-split or lah-official-split)"
            )
        | NamedSplit name ->
            try
                Lah.Data.Splits.Find(Defaults.folderName d.Dataset, name) |> ignore
                None
            with :? System.ArgumentException as ex ->
                Some("data.split", ex.Message.Replace(" (Parameter 'protocol')", ""))
        | _ -> None

        let b = e.Backbone
        positive "backbone.input-size" b.InputSize

        if b.Arch = "" then
            Some("backbone.arch", "expected a registry name such as small-cnn or resnet101")

        match b.Weights with
        | Pretrained p ->
            positive "backbone.weights.pretrained.epochs" p.Epochs

            if p.BatchSize < 2 then
                Some("backbone.weights.pretrained.batch-size", $"expected at least 2, got {p.BatchSize}")

            rate "backbone.weights.pretrained.learning-rate" p.LearningRate
            nonNegative "backbone.weights.pretrained.weight-decay" p.WeightDecay
            checkOptimizer "backbone.weights.pretrained.optimizer" p.Optimizer
            checkSchedule "backbone.weights.pretrained.schedule" p.Schedule
        | WeightsFile when b.WeightsFile = "" ->
            Some("backbone.weights-file", "expected the path of the weights file for weights 'weights-file'")
        | _ -> ()

        match e.Head with
        | Lah h
        | Classifier h ->
            let path =
                match e.Head with
                | Lah _ -> "head.lah"
                | _ -> "head.classifier"

            positive (path + ".joint-dim") h.JointDim
            positive (path + ".pooling-stride") h.PoolingStride
            positive (path + ".gcn-hidden") h.GcnHidden
            positive (path + ".classifier-dim") h.ClassifierDim

            if h.PoolingStride > 0 && h.JointDim % h.PoolingStride <> 0 then
                Some(path + ".pooling-stride", $"expected a divisor of joint-dim = {h.JointDim}, got {h.PoolingStride}")

            if not (h.Dropout >= 0.0 && h.Dropout < 1.0) then
                Some(path + ".dropout", $"expected a probability in [0, 1), got {h.Dropout}")

            if h.MfbProjections = MfbProjections.PerLabel && h.Fusion <> FusionKind.Mfb then
                Some(path + ".mfb-projections", "per-label projections need fusion 'mfb'")

            if h.Embedding = WordEmbedding.None || h.Fusion = FusionKind.None then
                Some(path, "a LAH head needs a word embedding and a fusion; use head 'dch-head' for neither")

            if e.Head = Classifier h && h.Fusion = FusionKind.Mfb && h.JointDim <> h.PoolingStride then
                Some(path + ".pooling-stride", "a classifier needs one value per label: pooling-stride = joint-dim")
        | _ -> ()

        let trains =
            match e.Head with
            | Lsh
            | RandomCodes
            | Collapsed -> false
            | _ -> true

        // Which loss a head trains with: the one place that decides it (every loss trains in both modes).
        match e.Loss, e.Head with
        | NoLoss, _ when trains -> Some("loss", "a trained head needs a loss (cauchy, hybrid, csq, hash-net, dpsh or classification-loss)")
        | (Cauchy _ | Hybrid _ | Csq _ | HashNet _ | Dpsh _ | ClassificationLoss), (Lsh | RandomCodes | Collapsed) ->
            Some("loss", "a sanity row trains nothing: its loss is no-loss")
        | ClassificationLoss, (Lah _ | DchHead) -> Some("loss", "classification-loss needs head 'classifier'")
        | (Cauchy _ | Hybrid _ | Csq _ | HashNet _ | Dpsh _), Classifier _ ->
            Some("loss", "a classifier head trains with classification-loss")
        | Hybrid h, _ ->
            nonNegative "loss.hybrid.alpha" h.Alpha
            nonNegative "loss.hybrid.beta" h.Beta
            nonNegative "loss.hybrid.lambda" h.Lambda
            nonNegative "loss.hybrid.margin" h.Margin
        | Csq lambda, _ -> nonNegative "loss.csq" lambda
        | HashNet h, _ ->
            rate "loss.hash-net.initial-beta" h.InitialBeta
            nonNegative "loss.hash-net.gamma" h.Gamma
            nonNegative "loss.hash-net.power" h.Power
            rate "loss.hash-net.scale" h.Scale
            nonNegative "loss.hash-net.lambda" h.Lambda
        | Dpsh eta, _ -> nonNegative "loss.dpsh" eta
        | Cauchy c, _ ->
            rate "loss.cauchy.gamma" c.Gamma
            nonNegative "loss.cauchy.lambda" c.Lambda

            if c.Combination = LossCombination.Paper && c.Lambda > 1.0 then
                Some("loss.cauchy.lambda", $"the paper combination needs λ in [0, 1], got {c.Lambda}")
        | ClassificationLoss, Classifier _
        | NoLoss, _ -> ()

        let t = e.Training

        if trains then
            positive "training.epochs" t.Epochs

            if t.BatchSize < 2 then
                Some("training.batch-size", $"the pairwise loss needs at least 2, got {t.BatchSize}")

            rate "training.learning-rate" t.LearningRate

            for KeyValue(k, v) in t.GroupRates do
                nonNegative $"training.group-rates.{k}" v

            nonNegative "training.weight-decay" t.WeightDecay
            nonNegative "training.backbone-lr-multiplier" t.BackboneLrMultiplier
            checkOptimizer "training.optimizer" t.Optimizer
            checkSchedule "training.schedule" t.Schedule

        let v = e.Evaluation

        if v.Protocols.IsEmpty then
            Some("evaluation.protocols", "expected at least one protocol")

        if v.Radius < 0 then
            Some("evaluation.radius", $"expected ≥ 0, got {v.Radius}")

        if not (v.ValidationFraction >= 0.0 && v.ValidationFraction < 1.0) then
            Some("evaluation.validation-fraction", $"expected a fraction in [0, 1), got {v.ValidationFraction}")

        if v.Selection = Lah.Training.EpochSelection.BestValidation && v.ValidationFraction = 0.0 then
            Some("evaluation.validation-fraction", "selection 'best-validation' needs a validation part (> 0)")

        for p in v.Protocols do
            match p with
            | TopK k when k <= 0 -> Some("evaluation.protocols", $"top-k: expected a positive K, got {k}")
            | _ -> ()
    ]
    |> List.choose id
    |> List.append (CustomDatasets.errors e)

/// Throws ExperimentFileError for the first invalid value (`file` names the source, e.g. a record's name).
let validate (file: string) (e: Experiment) =
    match errors e with
    | [] -> e
    | (path, msg) :: _ -> raise (ExperimentFileError(file, 0, path, msg))

let private defaults = defaultsOf Defaults.typeDefaults

let private decodeRoot (file: string) (root: Located) =
    try
        decodeWith defaults "" typeof<Experiment> (Some(box Defaults.experiment)) root :?> Experiment
    with FieldError(path, line, msg) ->
        raise (ExperimentFileError(file, line, path, msg))

/// An experiment from YAML text without range checks (fields left out keep `Defaults.experiment`'s values).
let decode (file: string) (text: string) : Experiment = decodeRoot file (Yaml.parse file text)

/// An experiment from YAML text, every value checked; fields left out keep `Defaults.experiment`'s values.
let parse (file: string) (text: string) : Experiment =
    let root = Yaml.parse file text
    let e = decodeRoot file root

    match errors e with
    | [] -> e
    | (path, msg) :: _ -> raise (ExperimentFileError(file, lineOf root path, path, msg))

let read (path: string) =
    if not (File.Exists path) then
        raise (ExperimentFileError(path, 0, "", "file not found"))

    parse path (File.ReadAllText path)

let toYaml (e: Experiment) = Yaml.write (encode e)

let write (path: string) (e: Experiment) =
    Lah.Common.AtomicFile.WriteAllText(path, toYaml e)
