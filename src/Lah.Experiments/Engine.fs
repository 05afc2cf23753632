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
open Lah.Vision.Registry
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
                 | PaperCombination -> Lah.Hashing.Config.LossCombination.Paper),
            PairWeighting =
                (match c.PairWeighting with
                 | OfficialWeights -> Lah.Hashing.Config.PairWeighting.Official
                 | PaperWeights -> Lah.Hashing.Config.PairWeighting.Paper),
            Reduction =
                (match c.Reduction with
                 | MeanReduction -> Lah.Hashing.Config.LossReduction.Mean
                 | SumReduction -> Lah.Hashing.Config.LossReduction.Sum)
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
        AdjacencyNormalization =
            (match h.Propagation with
             | TransposedPropagation -> Lah.Hashing.Graph.AdjacencyNormalization.Transposed
             | SymmetricPropagation -> Lah.Hashing.Graph.AdjacencyNormalization.Symmetric
             | PaperPropagation -> Lah.Hashing.Graph.AdjacencyNormalization.Paper),
        MfbProjections =
            (match h.MfbProjections with
             | SharedProjections -> Lah.Hashing.Config.MfbProjections.Shared
             | PerLabelProjections -> Lah.Hashing.Config.MfbProjections.PerLabel),
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
    | DchHead ->
        use generator = new Generator(int64 e.Seed)
        new DchModel(imageDim, r, e.Bits, true, generator)
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
        use generator = new Generator(int64 e.Seed)

        HashHeads.Create(
            cfg,
            vectors |> Option.map (fun v -> v.Data) |> Option.toObj,
            ReadOnlySpan nums,
            ReadOnlySpan adj,
            generator
        )
    | other -> invalidArg "head" $"{other} has no trained head"

let private optimizerKind (o: Optimizer) =
    match o with
    | Sgd m -> Lah.Training.Optimization.OptimizerKind.Sgd, m
    | Adam -> Lah.Training.Optimization.OptimizerKind.Adam, 0.9
    | AdamW -> Lah.Training.Optimization.OptimizerKind.AdamW, 0.9

/// Schedule kind, step size, milestones, gamma of the C# options.
let private schedule (s: Schedule) =
    match s with
    | Constant -> Lah.Training.Optimization.ScheduleKind.None, 10, [], 0.1
    | Step(every, gamma) -> Lah.Training.Optimization.ScheduleKind.Step, every, [], gamma
    | MultiStep(ms, gamma) -> Lah.Training.Optimization.ScheduleKind.MultiStep, 10, ms, gamma
    | Cosine -> Lah.Training.Optimization.ScheduleKind.Cosine, 10, [], 0.1

let private describeOptimizer (o: Optimizer) (lr: float) (s: Schedule) =
    let name =
        match o with
        | Sgd m -> $"SGD (momentum {m})"
        | Adam -> "Adam"
        | AdamW -> "AdamW"

    let sched =
        match s with
        | Constant -> "constant rate"
        | Step(every, g) -> $"×{g} every {every} epochs"
        | MultiStep(ms, g) -> $"""×{g} at epochs {ms |> List.map string |> String.concat ", "}"""
        | Cosine -> "cosine decay"

    $"{name}, lr {lr}, {sched}"

let private pooling (p: Pooling) =
    match p with
    | MaxPool -> GlobalPooling.Max
    | AvgPool -> GlobalPooling.Average

/// A backbone with `classes` classifier outputs (0: none), built from the registry or the small CNN's widths; its
/// initial weights come from the seed alone, not from whatever drew random numbers before.
let createBackbone
    (b: Lah.Experiments.Backbone)
    (seed: int)
    (classes: int)
    (weightsFile: string option)
    : Lah.Vision.Backbone =
    use generator = new Generator(int64 seed)

    // The record's widths are the small CNN's; the ResNets ignore them.
    let widths: Collections.Generic.IReadOnlyList<int> | null =
        match b.Arch, b.Widths with
        | "smallcnn", (_ :: _ as w) -> Array.ofList w
        | _ -> null

    ModelRegistry.Default.Create(
        b.Arch,
        ModelOptions(
            NumClasses = Nullable classes,
            Pooling = Nullable(pooling b.Pooling),
            Widths = widths,
            WeightsFile = Option.toObj weightsFile
        ),
        generator
    )

let private widthsText (b: Lah.Experiments.Backbone) =
    match b.Arch, b.Widths with
    | "smallcnn", (_ :: _ as w) -> $"""small CNN {w |> List.map string |> String.concat "-"}"""
    | arch, _ -> arch

/// The backbone of a feature-mode experiment, pre-trained once per (data, backbone, seed) and cached by that hash.
let acquireBackbone (ctx: RunContext) (e: Experiment) (data: LoadedData) : Lah.Vision.Backbone * BackboneReport =
    let b = e.Backbone
    let key = backboneKey e
    let labels = data.Dataset.LabelNames.Count

    let poolText =
        if b.Pooling = MaxPool then
            "global max pooling"
        else
            "global average pooling"

    match b.Weights with
    | Pretrained p ->
        let dir = ctx.Store.CacheDir("backbones", key)
        Directory.CreateDirectory dir |> ignore
        let model = createBackbone b e.Seed labels None
        let kind, momentum = optimizerKind p.Optimizer
        let sk, step, ms, gamma = schedule p.Schedule

        let options =
            Lah.Training.Pretraining.PretrainingOptions(
                Epochs = p.Epochs,
                BatchSize = p.BatchSize,
                LearningRate = p.LearningRate,
                Optimizer = kind,
                Momentum = momentum,
                WeightDecay = p.WeightDecay,
                Schedule = sk,
                StepSize = step,
                Milestones = (ms |> Array.ofList :> Collections.Generic.IReadOnlyList<int>),
                LrGamma = gamma,
                Seed = int64 e.Seed,
                Workers = ctx.Budget.LoaderWorkers,
                Parallel = Option.toObj ctx.Budget.Parallel
            )

        ctx.Progress.Status $"{e.Name}: backbone pre-training ({p.Epochs} epochs; cached after the first run)"

        let result =
            Lah.Training.Pretraining.ClassificationPretrainer.Run(
                model,
                data.Dataset,
                data.Split.Train,
                data.Split.Query,
                ImageTransform.WarpFlip b.InputSize,
                ImageTransform.Warp b.InputSize,
                options,
                Path.Combine(dir, "backbone.safetensors"),
                key
            )

        model,
        {
            Description =
                $"{widthsText b} ({poolText}, {b.InputSize}×{b.InputSize}), pre-trained here by multi-label classification "
                + $"on the {data.Split.Train.Length} training images only ({p.Epochs} epochs, "
                + $"{describeOptimizer p.Optimizer p.LearningRate p.Schedule}, flips); no ImageNet weights"
            ClassificationMap = result.HeldOutMap
        }
    | WeightsFile ->
        if not (File.Exists b.WeightsFile) then
            raise (FileNotFoundException $"backbone.weights-file: {b.WeightsFile} does not exist")

        createBackbone b e.Seed 0 (Some b.WeightsFile),
        {
            Description =
                $"{widthsText b} ({poolText}, {b.InputSize}×{b.InputSize}) with the weights of {Path.GetFileName b.WeightsFile}"
            ClassificationMap = nan
        }
    | RandomInit ->
        createBackbone b e.Seed 0 None,
        {
            Description = $"{widthsText b} ({poolText}, {b.InputSize}×{b.InputSize}), randomly initialised"
            ClassificationMap = nan
        }

/// Features of every item of the pool, from the cache of this backbone.
let poolFeatures (ctx: RunContext) (e: Experiment) (data: LoadedData) (backbone: Lah.Vision.Backbone) : FeatureSet =
    let cache = FeatureCache(ctx.Store.CacheDir("features", backboneKey e))
    let all = [| 0 .. data.Dataset.Count - 1 |]
    ctx.Progress.Status $"{e.Name}: features of {all.Length} images"

    // Under data parallelism rank 0 fills the cache first and the others then read it, so no two processes write the
    // same cache entry (every rank needs all the features: feature mode trains on them).
    let leaderFirst (body: unit -> 'a) =
        match ctx.Budget.Parallel with
        | None -> body ()
        | Some p when p.Group.Rank = 0 ->
            let r = body ()
            p.Group.Barrier()
            r
        | Some p ->
            p.Group.Barrier()
            body ()

    let r =
        leaderFirst
        <| fun () ->
            cache.GetOrCompute(
                backbone,
                e.Backbone.Arch,
                data.Dataset,
                all,
                ImageTransform.Warp e.Backbone.InputSize,
                workers = ctx.Budget.LoaderWorkers,
                dataTag = data.DataTag
            )

    r.Features

let subset (f: FeatureSet) (rows: int[]) =
    let struct (x, y) = f.Gather(ReadOnlySpan rows)
    FeatureSet(x, y, rows.Length, f.FeatureDim, f.LabelCount)

/// Training options of the C# feature trainer from the record.
let featureOptions
    (e: Experiment)
    (dp: Lah.Torch.Distributed.DataParallel option)
    (onEpoch: Func<FeatureEpoch, Nullable<float>>)
    (restoreBest: bool)
    =
    let t = e.Training
    let kind, momentum = optimizerKind t.Optimizer
    let sk, step, ms, gamma = schedule t.Schedule

    FeatureTrainingOptions(
        Epochs = t.Epochs,
        BatchSize = t.BatchSize,
        LearningRate = t.LearningRate,
        GroupLearningRates = (t.GroupRates |> Map.toSeq |> readOnlyDict),
        Optimizer = kind,
        Momentum = momentum,
        WeightDecay = t.WeightDecay,
        Schedule = sk,
        StepSize = step,
        Milestones = (ms |> Array.ofList :> Collections.Generic.IReadOnlyList<int>),
        LrGamma = gamma,
        ClipNorm = t.ClipNorm,
        Seed = int64 e.Seed,
        OnEpoch = onEpoch,
        RestoreBestEpoch = restoreBest,
        Parallel = Option.toObj dp
    )

/// Classification scores (the fusion output, one value per label) of a feature set, in evaluation mode.
let classifierScores (head: IHashHead) (data: FeatureSet) =
    head.Train false

    use _ = Torch.NoGrad()
    use _ = Torch.NewScope()
    let f = Torch.FromArray(data.Features, int64 data.Count, int64 data.FeatureDim)
    (head.ForwardHead f).Fused.ToFloatArray()

let private encodeBoth (head: IHashHead) (query: FeatureSet) (db: FeatureSet) =
    {
        Query = FeatureEncoder.Encode(head, query)
        QueryLabels = query.Labels
        Database = FeatureEncoder.Encode(head, db)
        DatabaseLabels = db.Labels
    }

/// The file a run's trained network is saved to (`lah encode --model` reads it).
let modelFileName = "model.safetensors"

/// Metadata keys of a model file besides the experiment record.
module ModelKeys =
    let Format = "format"
    let FormatValue = "lah-model/1"
    let Run = "run"
    let Mode = "mode"
    let Bits = "bits"
    let Labels = "labels"
    let BackboneClasses = "backbone.classes"
    let BackboneFeatures = "backbone.features"
    let InputSize = "input.size"
    let InputTransform = "input.transform"
    let InputMean = "input.mean"
    let InputStd = "input.std"
    let Description = "backbone.description"
    /// Buffers a state dict leaves out (the GCN's word-vector input, Â): saved so the rebuilt head is the trained
    /// one bit for bit, not one whose derived tensors were recomputed from rounded values.
    let DerivedPrefix = "derived."
    /// A feature-mode run's frozen backbone from the user's weights file is not copied into every run's model: the
    /// file is named (absolute path) with its SHA-256, and encoding loads it from there.
    let WeightsFile = "backbone.weights-file"
    let WeightsDigest = "backbone.weights-sha256"

/// Saves backbone + head as one safetensors file in the run's folder (atomically, through TrainedModelFile): the
/// state dict under HashingNetwork's names (`backbone.…`, `head.…`), the experiment record and what encoding needs
/// to rebuild the network and feed it (label names, input size and normalisation).
let saveModel
    (ctx: RunContext)
    (e: Experiment)
    (data: LoadedData)
    (backbone: Lah.Vision.Backbone)
    (head: IHashHead)
    (description: string)
    =
    // Under data parallelism the ranks hold identical weights and rank 0 alone writes, as with the run record.
    match ctx.Budget.Parallel with
    | Some p when p.Group.Rank <> 0 -> ()
    | _ ->

        let headModule = head :?> Lah.Torch.NN.Module
        let headState = headModule.StateDict()

        let referenced = e.Training.Mode = FeatureMode && e.Backbone.Weights = WeightsFile

        let tensors =
            [
                if not referenced then
                    for KeyValue(k, v) in backbone.StateDict() do
                        yield Collections.Generic.KeyValuePair("backbone." + k, v)
                for KeyValue(k, v) in headState -> Collections.Generic.KeyValuePair("head." + k, v)
                for struct (k, v) in headModule.NamedBuffers() do
                    if not (headState.ContainsKey k) then
                        yield Collections.Generic.KeyValuePair(ModelKeys.DerivedPrefix + "head." + k, v)
            ]

        let floats (xs: float32[]) =
            xs
            |> Array.map (fun x -> x.ToString("R", Globalization.CultureInfo.InvariantCulture))
            |> String.concat ","

        let metadata =
            dict
                [
                    if referenced then
                        let file = Path.GetFullPath e.Backbone.WeightsFile
                        use s = File.OpenRead file
                        ModelKeys.WeightsFile, file

                        ModelKeys.WeightsDigest,
                        Convert.ToHexString(Security.Cryptography.SHA256.HashData s).ToLowerInvariant()
                    ModelKeys.Format, ModelKeys.FormatValue
                    ModelKeys.Run, ctx.Hash
                    ModelKeys.Mode,
                    (match e.Training.Mode with
                     | FeatureMode -> "feature"
                     | EndToEnd -> "end-to-end")
                    ModelKeys.Bits, string e.Bits
                    ModelKeys.Labels, Text.Json.JsonSerializer.Serialize(Array.ofSeq data.Dataset.LabelNames)
                    ModelKeys.BackboneClasses, string backbone.NumClasses
                    ModelKeys.BackboneFeatures, string backbone.NumFeatures
                    ModelKeys.InputSize, string e.Backbone.InputSize
                    ModelKeys.InputTransform, "warp"
                    ModelKeys.InputMean, floats ImageNetNormalize.Mean
                    ModelKeys.InputStd, floats ImageNetNormalize.Std
                    ModelKeys.Description, description
                ]

        Lah.Torch.Serialization.TrainedModelFile.Save(
            Path.Combine(ctx.RunDir, modelFileName),
            tensors,
            ExperimentFile.toYaml e,
            Collections.Generic.Dictionary(metadata)
        )

/// A feature-mode run: sanity codes, or a head trained on the training features.
let runFeatureMode (ctx: RunContext) (e: Experiment) (data: LoadedData) : RunOutput =
    let backbone, report = acquireBackbone ctx e data
    use _ = backbone
    let features = poolFeatures ctx e data backbone
    let split = data.Split
    let train = subset features split.Train
    let query = subset features split.Query
    let db = subset features split.Database
    let threads = ctx.Budget.MetricThreads

    match e.Head with
    | Lsh
    | RandomCodes
    | Collapsed ->
        let mean = HashBaselines.Mean db

        let encoded =
            {
                Query = sanityCodes e.Head e.Seed e.Bits mean query
                QueryLabels = query.Labels
                Database = sanityCodes e.Head e.Seed e.Bits mean db
                DatabaseLabels = db.Labels
            }

        {
            Epochs = []
            Final = evaluate e threads encoded
            Backbone = report
            ImagesPerSecond = nan
        }
    | _ ->
        let centers seed =
            Lah.Hashing.Losses.HashCenters.Generate(data.Dataset.LabelNames.Count, e.Bits, uint64 seed)

        let loss: IHeadLoss =
            match e.Loss with
            | ClassificationLoss -> ClassificationHeadLoss()
            | Hybrid h ->
                let options =
                    Lah.Hashing.Losses.HybridLossOptions(
                        Alpha = h.Alpha,
                        Beta = h.Beta,
                        Lambda = h.Lambda,
                        Margin = h.Margin,
                        Negatives =
                            (match h.Negatives with
                             | Hardest -> Lah.Hashing.Losses.NegativeMining.Hardest
                             | AllNegatives -> Lah.Hashing.Losses.NegativeMining.All)
                    )

                HybridHeadLoss(Lah.Hashing.Losses.HybridHashLoss(centers h.CentersSeed, options))
            | Csq lambda -> CsqHeadLoss(Lah.Hashing.Losses.CsqLoss(centers e.Seed, lambda))
            | HashNet h ->
                HashNetHeadLoss(Lah.Hashing.Losses.HashNetLoss(h.InitialBeta, h.Gamma, h.Power, h.Scale, h.Lambda))
            | Dpsh eta -> DpshHeadLoss(Lah.Hashing.Losses.DpshLoss(eta))
            | _ -> CauchyHeadLoss(Lah.Hashing.Losses.CauchyHashLoss(toLossConfig e.Loss))

        // Center losses keep their centers in the model's state dict (buffer "centers").
        use head =
            let h = buildHead e data features.FeatureDim

            match loss with
            | :? HybridHeadLoss as l -> new CenterHashHead(h, l.Loss.CenterTensor) :> IHashHead
            | :? CsqHeadLoss as l -> new CenterHashHead(h, l.Loss.CenterTensor) :> IHashHead
            | _ -> h

        // Validation: a seeded part of the training images searched against the rest of them.
        let trainRows, validationRows =
            match e.Evaluation.Selection with
            | BestValidation ->
                let n = split.Train.Length
                let v = max 1 (int (round (float n * e.Evaluation.ValidationFraction)))
                let perm = Rng.For(uint64 e.Seed, 0x7A1DUL).Permutation n

                perm[v..] |> Array.map (fun i -> split.Train[i]) |> Array.sort,
                perm[.. v - 1] |> Array.map (fun i -> split.Train[i]) |> Array.sort
            | LastEpoch -> split.Train, [||]

        let fit = subset features trainRows

        let validation =
            if validationRows.Length > 0 then
                Some(subset features validationRows)
            else
                None

        let isClassifier = e.Head.IsClassifier
        let epochMetrics = Collections.Generic.List<Map<string, float>>()

        let score (h: IHashHead) (q: FeatureSet) (d: FeatureSet) =
            if isClassifier then
                classificationMap (classifierScores h q) q.Labels q.Count
            else
                (evaluate
                    { e with
                        Evaluation =
                            { e.Evaluation with
                                Protocols = [ DchProtocol ]
                            }
                    }
                    threads
                    (encodeBoth h q d))["dch.map"]

        let onEpoch =
            Func<FeatureEpoch, Nullable<float>>(fun ep ->
                ctx.Progress.Status $"{e.Name}: epoch {ep.Epoch + 1}/{e.Training.Epochs}, loss {ep.MeanLoss:F4}"

                match loss with
                | :? HashNetHeadLoss as h -> h.SetEpoch(ep.Epoch + 1) // continuation: β grows per epoch
                | _ -> ()

                let metrics =
                    [
                        match validation with
                        | Some v -> "validation.score", score ep.Head v fit
                        | None -> ()
                        if e.Evaluation.EachEpoch then
                            (if isClassifier then "test.cls-map" else "test.map"), score ep.Head query db
                    ]
                    |> Map.ofList

                epochMetrics.Add metrics

                match metrics.TryFind "validation.score" with
                | Some v -> Nullable v
                | None -> Nullable())

        use trainer =
            new FeatureTrainer(head, loss, featureOptions e ctx.Budget.Parallel onEpoch validation.IsSome)

        let clock = Diagnostics.Stopwatch.StartNew()
        let history = trainer.Train fit
        let seconds = clock.Elapsed.TotalSeconds

        let epochs =
            [
                for i in 0 .. history.EpochLosses.Count - 1 ->
                    {
                        Epoch = i
                        Loss = history.EpochLosses[i]
                        Metrics =
                            if i < epochMetrics.Count then
                                epochMetrics[i]
                            else
                                Map.empty
                    }
            ]

        saveModel ctx e data backbone head report.Description

        let final =
            if isClassifier then
                Map.ofList
                    [
                        "cls.map", classificationMap (classifierScores head query) query.Labels query.Count
                    ]
            else
                evaluate e threads (encodeBoth head query db)

        {
            Epochs = epochs
            Final =
                final
                |> Map.add
                    "selected-epoch"
                    (float (
                        if history.SelectedEpoch >= 0 then
                            history.SelectedEpoch
                        else
                            epochs.Length - 1
                    ))
            Backbone = report
            ImagesPerSecond = float (fit.Count * history.EpochLosses.Count) / max seconds 1e-9
        }

/// An end-to-end run (the paper profile): backbone and head trained together by the end-to-end trainer.
let runEndToEnd (ctx: RunContext) (e: Experiment) (data: LoadedData) : RunOutput =
    checkImages data
    let labels = data.Dataset.LabelNames.Count

    let weights =
        match e.Backbone.Weights with
        | WeightsFile ->
            if not (File.Exists e.Backbone.WeightsFile) then
                raise (FileNotFoundException $"backbone.weights-file: {e.Backbone.WeightsFile} does not exist")

            Some e.Backbone.WeightsFile
        | Pretrained _ -> invalidArg "backbone.weights" "end to end starts from a weights file or random initialisation"
        | RandomInit -> None

    let backbone = createBackbone e.Backbone e.Seed 0 weights
    let head = buildHead e data backbone.NumFeatures
    use network = new Lah.Training.EndToEnd.HashingNetwork(backbone, head)
    let t = e.Training

    let decayEpochs, decay =
        match t.Schedule with
        | MultiStep(ms, g) -> ms, g
        | Step(every, g) -> [ every..every .. max every t.Epochs ], g
        | Constant -> [], 0.1
        | Cosine -> invalidArg "training.schedule" "end to end supports constant, step and multi-step schedules"

    let momentum =
        match t.Optimizer with
        | Sgd m -> m
        | other -> invalidArg "training.optimizer" $"end to end trains with SGD (as the official code), got {other}"

    let options =
        Lah.Training.EndToEnd.EndToEndOptions(
            Epochs = t.Epochs,
            BatchSize = t.BatchSize,
            LearningRate = t.LearningRate,
            BackboneLrMultiplier = t.BackboneLrMultiplier,
            GroupLearningRates = (t.GroupRates |> Map.toSeq |> readOnlyDict),
            LrDecayEpochs = (decayEpochs |> Array.ofList :> Collections.Generic.IReadOnlyList<int>),
            LrDecay = decay,
            Momentum = momentum,
            WeightDecay = t.WeightDecay,
            ClipNorm = t.ClipNorm,
            Seed = int64 e.Seed,
            Device = ctx.Budget.Device,
            Workers = ctx.Budget.LoaderWorkers,
            Parallel = Option.toObj ctx.Budget.Parallel,
            Protocol =
                (match data.Split.Protocol with
                 | p when p.StartsWith "lah" -> Lah.Training.EndToEnd.EvaluationProtocol.LahOfficial
                 | _ -> Lah.Training.EndToEnd.EvaluationProtocol.Dch),
            Radius = e.Evaluation.Radius,
            Selection =
                (if e.Evaluation.Selection = BestValidation then
                     Lah.Training.EndToEnd.ModelSelection.Validation
                 else
                     Lah.Training.EndToEnd.ModelSelection.Validation),
            ValidationFraction =
                (if e.Evaluation.ValidationFraction > 0.0 then
                     e.Evaluation.ValidationFraction
                 else
                     0.1),
            EvaluateTestEachEpoch = e.Evaluation.EachEpoch,
            CheckpointDir = ctx.RunDir,
            Resume = true,
            ShowProgress = false,
            ExperimentKey = ctx.Hash
        )

    use trainer =
        new Lah.Training.EndToEnd.EndToEndTrainer(
            network,
            Lah.Hashing.Losses.CauchyHashLoss(toLossConfig e.Loss),
            options
        )

    let size = e.Backbone.InputSize
    let clock = Diagnostics.Stopwatch.StartNew()

    let result =
        trainer.Fit(data.Dataset, data.Split, ImageTransform.OfficialTrain size, ImageTransform.Warp size)

    let seconds = clock.Elapsed.TotalSeconds

    let description =
        $"{widthsText e.Backbone} at {size}×{size}, trained end to end"
        + (match weights with
           | Some w -> $" from the weights of {Path.GetFileName w}"
           | None -> " from random initialisation")

    saveModel ctx e data backbone head description

    let struct (q, qLabels) =
        Lah.Training.EndToEnd.ImageEncoder.Encode(
            network,
            data.Dataset,
            data.Split.Query,
            ImageTransform.Warp size,
            t.BatchSize,
            Device.Parse ctx.Budget.Device,
            ctx.Budget.LoaderWorkers
        )

    let struct (d, dLabels) =
        Lah.Training.EndToEnd.ImageEncoder.Encode(
            network,
            data.Dataset,
            data.Split.Database,
            ImageTransform.Warp size,
            t.BatchSize,
            Device.Parse ctx.Budget.Device,
            ctx.Budget.LoaderWorkers
        )

    {
        Epochs =
            [
                for r in result.Epochs ->
                    {
                        Epoch = r.Epoch
                        Loss = r.MeanLoss
                        Metrics =
                            Map.ofList
                                [
                                    if r.ValidationMap.HasValue then
                                        "validation.map", r.ValidationMap.Value
                                    if r.TestMap.HasValue then
                                        "test.map", r.TestMap.Value
                                ]
                    }
            ]
        Final =
            evaluate
                e
                ctx.Budget.MetricThreads
                {
                    Query = q
                    QueryLabels = qLabels
                    Database = d
                    DatabaseLabels = dLabels
                }
            |> Map.add "selected-epoch" (float result.SelectedEpoch)
        Backbone =
            {
                Description = description
                ClassificationMap = nan
            }
        ImagesPerSecond = float (data.Split.Train.Length * result.Epochs.Count) / max seconds 1e-9
    }

/// Runs one experiment: everything that can be checked up front is checked before training starts.
let execute (ctx: RunContext) (e: Experiment) : RunOutput =
    ExperimentFile.validate e.Name e |> ignore
    let data = load e

    match e.Training.Mode with
    | FeatureMode -> runFeatureMode ctx e data
    | EndToEnd -> runEndToEnd ctx e data
