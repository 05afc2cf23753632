/// The executor behind `reproduce` and `run`: it interprets a record. Data → backbone (pre-trained by the training loop
/// and cached, or loaded) → features (cached) or images → head → the one training loop (Lah.Training.Trainer) → codes →
/// the one scorer (Scoring). Components builds every piece; nothing here trains or scores by itself.
module Lah.Experiments.Engine

open System
open System.IO
open System.Linq
open Lah.Data
open Lah.Hashing.Models
open Lah.Torch
open Lah.Training
open Lah.Training.Baselines
open Lah.Training.Batches
open Lah.Training.Caching
open Lah.Training.Inference
open Lah.Experiments.Components
open Lah.Experiments.EngineData
open Lah.Experiments.Results
open Lah.Experiments.Runner

/// What a backbone depends on: its data, its own settings and the seed.
type BackboneKey =
    {
        Data: Data
        Backbone: Backbone
        Seed: int
    }

/// The key of a record's backbone (and of its cached features): a weights file's digest, a custom dataset's fingerprint
/// and the engine version enter it, so neither another file, other data nor features of an older engine are reused.
let backboneKey (e: Experiment) =
    let data =
        match CustomDatasets.fingerprint e with
        | "" -> ""
        | fingerprint -> $";data={fingerprint}"

    Tree.contentHash
        {
            Data = e.Data
            Backbone = e.Backbone
            Seed = e.Seed
        }
        $"{weightsDigest e.Backbone};engine={Results.engineVersion}{data}"

/// The head's inputs from the data: word vectors of the label names and the label graph of the training split only.
let headInputs (e: Experiment) (data: LoadedData) (imageDim: int) : HeadInputs =
    let labels = data.Dataset.LabelNames
    let r = labels.Count

    let vectors =
        match e.Head with
        | Lah h
        | Classifier h -> data.WordVectors h.Embedding
        | DchHead
        | Lsh
        | RandomCodes
        | Collapsed -> None

    let cooc = LabelCooccurrence.FromTraining(data.Dataset, data.Split)

    {
        Labels = r
        ImageDim = imageDim
        WordVectors = vectors |> Option.map (fun v -> v.Data)
        WordDim = vectors |> Option.map (fun v -> v.Dim) |> Option.defaultValue r
        Nums = cooc.Nums |> Array.map float
        Cooccurrence = Array.init (r * r) (fun k -> float cooc.Adj[k / r, k % r])
    }

/// The loop's events as status lines (the CLI renders them); a scorer's per-epoch metrics join the epoch's line.
let private events (ctx: RunContext) (what: string) (epochs: int) =
    { new ITrainingEvents with
        member _.Epoch(r) =
            ctx.Progress.Status $"{what}: epoch {r.Epoch + 1}/{epochs}, loss {r.MeanLoss:F4}"

        member _.Message(text) = ctx.Progress.Status $"{what}: {text}"
    }

/// The loop's settings for a record's training run in `dir` (checkpoints there, resumed from there).
let private settings (ctx: RunContext) (epochs: int) (clip: float) (seed: int) (selection: EpochSelection) (dir: string) (key: string) =
    TrainerSettings(
        Epochs = epochs,
        ClipNorm = clip,
        Seed = int64 seed,
        Selection = selection,
        CheckpointDir = dir,
        Fingerprint = key,
        Parallel = Option.toObj ctx.Budget.Parallel
    )

/// Removes a finished run's checkpoint files (its model file is what stays).
let private dropCheckpoints (dir: string) =
    for f in [ Trainer.CheckpointFile; Trainer.BestFile; Trainer.HistoryFile ] do
        let p = Path.Combine(dir, f)

        if File.Exists p then
            File.Delete p

/// Images of the pool, loaded by the loader's workers for this rank.
let private imageBatches (ctx: RunContext) (data: LoadedData) (items: int[]) (transform: ImageTransform) (batch: int) (seed: int) =
    let rank, world =
        match ctx.Budget.Parallel with
        | Some p -> p.Group.Rank, p.Group.WorldSize
        | None -> 0, 1

    DataLoader(
        data.Dataset,
        items,
        transform,
        batch,
        shuffle = true,
        seed = uint64 seed,
        workers = ctx.Budget.LoaderWorkers,
        dropLast = (items.Length > batch * world),
        rank = rank,
        worldSize = world
    )

let private pretrainedFormat = "lah-pretrained-backbone/2"

/// A record's pre-trained backbone (feature mode and end to end alike): classification pre-training on the training
/// split is the training loop with a classifier model and ML-GCN's loss; its weights are cached by the backbone key
/// and an interrupted pre-training resumes from its checkpoint.
let private pretrain (ctx: RunContext) (e: Experiment) (data: LoadedData) (p: Pretraining) =
    let key = backboneKey e
    let dir = ctx.Store.CacheDir("backbones", key)
    Directory.CreateDirectory dir |> ignore
    let file = Path.Combine(dir, "backbone.safetensors")
    let labels = data.Dataset.LabelNames.Count
    let device = Components.device "--device" ctx.Budget.Device
    let model = Components.backbone e.Backbone e.Seed labels None
    model.To device |> ignore
    let size = e.Backbone.InputSize
    let split = data.Split

    let cached =
        File.Exists file
        && (use f = Lah.Torch.Serialization.SafeTensorsFile.Open file

            match f.Metadata.TryGetValue "format" with
            | true, format -> format = pretrainedFormat
            | _ -> false)

    match ctx.Budget.Parallel with
    | Some group ->
        let struct (lo, hi) = group.Group.MinMaxOverRanks(if cached then 1L else 0L)

        if lo <> hi then
            raise (
                InvalidOperationException
                    $"rank {group.Group.Rank}: some ranks found the pre-trained weights {file} and others did not; share the results folder between machines, or let every rank train"
            )
    | None -> ()

    let heldOutMap () =
        let scores =
            BatchInference.Run(
                model,
                (fun images -> model.Forward images),
                labels,
                data.Dataset,
                split.Query,
                ImageTransform.Warp size,
                128,
                device,
                ctx.Budget.LoaderWorkers
            )
            |> fun struct (rows, _) -> rows

        Scoring.classification scores (Scoring.targetsOf data.Dataset split.Query) split.Query.Length

    if cached then
        model.LoadSafeTensors(file, strict = true) |> ignore
        model.Eval()
        model, heldOutMap ()
    else
        ctx.Progress.Status $"{e.Name}: backbone pre-training ({p.Epochs} epochs; cached after the first run)"
        let trainable = ClassifierModel model
        let optimizer, schedule = pretrainingOptimizer p trainable
        use _ = optimizer

        let source =
            ImageBatches(imageBatches ctx data split.Train (ImageTransform.WarpFlip size) p.BatchSize e.Seed)

        use trainer =
            new Trainer(
                trainable,
                Lah.Hashing.Losses.MultiLabelSoftMarginLoss(),
                source,
                optimizer,
                Option.toObj schedule,
                settings ctx p.Epochs Defaults.pretrainingClipNorm e.Seed EpochSelection.LastEpoch dir key,
                events = events ctx $"{e.Name}: pre-training" p.Epochs
            )

        trainer.Fit() |> ignore
        model.Eval()

        if ctx.Budget.IsLeader then
            model.SaveSafeTensors(file, readOnlyDict [ "format", pretrainedFormat; "key", key ])
            dropCheckpoints dir

        model, heldOutMap ()

/// The backbone a record starts from, and how it came about (stated under every table).
let acquireBackbone (ctx: RunContext) (e: Experiment) (data: LoadedData) : Lah.Vision.Backbone * BackboneReport =
    let b = e.Backbone
    let what = describeBackbone b

    match b.Weights with
    | Pretrained p ->
        let model, map = pretrain ctx e data p

        let optimizerText =
            match p.Optimizer with
            | Sgd m -> $"SGD (momentum {m})"
            | Adam -> "Adam"
            | AdamW -> "AdamW"

        let scheduleText =
            match p.Schedule with
            | Constant -> "constant rate"
            | Step(every, g) -> $"×{g} every {every} epochs"
            | MultiStep(ms, g) -> $"""×{g} at epochs {ms |> List.map string |> String.concat ", "}"""
            | Cosine -> "cosine decay"

        model,
        {
            Description =
                $"{what}, pre-trained here by multi-label classification on the {data.Split.Train.Length} training images only "
                + $"({p.Epochs} epochs, {optimizerText}, lr {p.LearningRate}, {scheduleText}, flips); no ImageNet weights"
            ClassificationMap = map
        }
    | WeightsFile ->
        let file = weightsFile b

        Components.backbone b e.Seed 0 (Some file),
        {
            Description = $"{what} with the weights of {Path.GetFileName file}"
            ClassificationMap = nan
        }
    | RandomInit ->
        Components.backbone b e.Seed 0 None,
        {
            Description = $"{what}, randomly initialised"
            ClassificationMap = nan
        }

/// Features of every item of the pool, from the cache of this backbone. Under data parallelism rank 0 fills the cache
/// first and the others then read it, so no two processes write the same entry.
let poolFeatures (ctx: RunContext) (e: Experiment) (data: LoadedData) (backbone: Lah.Vision.Backbone) : FeatureSet =
    let cache = FeatureCache(ctx.Store.CacheDir("features", backboneKey e))
    let all = [| 0 .. data.Dataset.Count - 1 |]
    ctx.Progress.Status $"{e.Name}: features of {all.Length} images"

    let compute () =
        cache.GetOrCompute(
            backbone,
            e.Backbone.Arch,
            data.Dataset,
            all,
            ImageTransform.Warp e.Backbone.InputSize,
            device = backbone.Parameters().First().Device,
            workers = ctx.Budget.LoaderWorkers,
            dataTag = data.DataTag
        )

    let r =
        match ctx.Budget.Parallel with
        | None -> compute ()
        | Some p when p.Group.Rank = 0 ->
            let r = compute ()
            p.Group.Barrier()
            r
        | Some p ->
            p.Group.Barrier()
            compute ()

    r.Features

let subset (f: FeatureSet) (rows: int[]) =
    let struct (x, y) = f.Gather(ReadOnlySpan rows)
    FeatureSet(x, y, rows.Length, f.FeatureDim, f.LabelCount)

/// The training items and, for best-validation selection, the hold-out drawn from them (and what it is searched in).
let private holdOut (e: Experiment) (split: RetrievalSplit) =
    match e.Evaluation.Selection with
    | EpochSelection.BestValidation ->
        let struct (fit, held) =
            Splits.ValidationHoldOut(split.Train, e.Evaluation.ValidationFraction, uint64 e.Seed)

        fit, Some(fit, held)
    | EpochSelection.LastEpoch -> split.Train, None
    | other -> invalidArg "evaluation.selection" $"unknown selection {other}"

/// Trains `model` with the record's loss and optimizer through the loop, checkpointing in the run's folder.
let private train
    (ctx: RunContext)
    (e: Experiment)
    (model: ITrainable)
    (loss: Lah.Hashing.Losses.IHashLoss)
    (source: IBatchSource)
    (scorer: IEpochScorer)
    =
    let optimizer, schedule = trainingOptimizer e.Training model
    use _ = optimizer

    use trainer =
        new Trainer(
            model,
            loss,
            source,
            optimizer,
            Option.toObj schedule,
            settings ctx e.Training.Epochs e.Training.ClipNorm e.Seed e.Evaluation.Selection ctx.RunDir ctx.Hash,
            scorer,
            events ctx e.Name e.Training.Epochs
        )

    let clock = Diagnostics.Stopwatch.StartNew()
    let result = trainer.Fit()
    result, clock.Elapsed.TotalSeconds

let private epochLogs (result: TrainingResult) =
    [
        for r in result.Epochs ->
            {
                Epoch = r.Epoch
                Loss = r.MeanLoss
                Metrics = r.Metrics |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq
            }
    ]

let private selected (result: TrainingResult) (final: Map<string, float>) =
    final
    |> Map.add "selected-epoch" (float result.SelectedEpoch)
    |> fun m -> if result.SelectionFellBack then Map.add "selection-fell-back" 1.0 m else m

/// Codes of a sanity row for a feature set: LSH (centred on the database's mean) and collapsed codes are the
/// library's floors; random codes are drawn per item from the seed.
let sanityCodes (head: Head) (seed: int) (bits: int) (mean: float32[]) (data: FeatureSet) : EncodedSet =
    match head with
    | Lsh -> HashBaselines.Lsh(data, bits, uint64 seed, mean)
    | Collapsed -> HashBaselines.Collapsed(data.Count, bits)
    | RandomCodes -> HashBaselines.Random(data.Count, bits, uint64 seed)
    | Lah _
    | DchHead
    | Classifier _ -> invalidArg "head" $"{head} is not a sanity row"

/// A feature-mode run: sanity codes, or a head trained on the frozen backbone's cached features.
let runFeatureMode (ctx: RunContext) (e: Experiment) (data: LoadedData) : RunOutput =
    let backbone, report = acquireBackbone ctx e data
    use _ = backbone
    let device = Components.device "--device" ctx.Budget.Device
    backbone.To device |> ignore
    let features = poolFeatures ctx e data backbone
    let split = data.Split
    let threads = ctx.Budget.MetricThreads

    match e.Head with
    | Lsh
    | RandomCodes
    | Collapsed ->
        let mean = HashBaselines.Mean(subset features split.Database)

        let codes: Scoring.Scorable =
            {
                Encode = fun items -> sanityCodes e.Head e.Seed e.Bits mean (subset features items)
                Scores = fun _ -> invalidArg "head" "a sanity row has no label scores"
            }

        {
            Epochs = []
            Final = Scoring.final e threads codes data.Dataset split
            Backbone = report
            ImagesPerSecond = nan
        }
    | Lah _
    | DchHead
    | Classifier _ ->
        let loss = Components.loss e data.Dataset.LabelNames.Count
        let inputs = headInputs e data features.FeatureDim
        use head = Components.head e inputs |> withCenters loss
        (head :?> Lah.Torch.NN.Module).To device |> ignore

        let scorable: Scoring.Scorable =
            {
                Encode = fun items -> FeatureEncoder.Encode(head, subset features items)
                Scores = fun items -> FeatureEncoder.Scores(head, subset features items)
            }

        let fit, validation = holdOut e split
        let rank, world =
            match ctx.Budget.Parallel with
            | Some p -> p.Group.Rank, p.Group.WorldSize
            | None -> 0, 1

        let source =
            FeatureBatches(subset features fit, e.Training.BatchSize, uint64 e.Seed, rank, world)

        let scorer = Scoring.epochScorer e threads scorable data.Dataset split validation
        let result, seconds = train ctx e (HeadModel head) loss source scorer
        let description = report.Description

        if ctx.Budget.IsLeader then
            ModelFile.save (Path.Combine(ctx.RunDir, ModelFile.fileName)) ctx.Hash e data.Dataset.LabelNames backbone head inputs description
            dropCheckpoints ctx.RunDir

        {
            Epochs = epochLogs result
            Final = Scoring.final e threads scorable data.Dataset split |> selected result
            Backbone = report
            ImagesPerSecond = float (fit.Length * result.Epochs.Count) / max seconds 1e-9
        }

/// An end-to-end run: backbone (from a weights file, random, or pre-trained here) and head trained together on
/// augmented images by the same loop.
let runEndToEnd (ctx: RunContext) (e: Experiment) (data: LoadedData) : RunOutput =
    checkImages data
    let start, report = acquireBackbone ctx e data
    let size = e.Backbone.InputSize
    let device = Components.device "--device" ctx.Budget.Device

    // The starting weights without the pre-training classifier: the hash head replaces it.
    let backbone =
        match e.Backbone.Weights with
        | Pretrained _ ->
            use _ = start
            let b = Components.backbone e.Backbone e.Seed 0 None
            b.LoadStateDict(start.StateDict() |> Seq.filter (fun kv -> not (kv.Key.StartsWith(start.ClassifierName + "."))) |> Seq.map (fun kv -> kv.Key, kv.Value) |> readOnlyDict, strict = true)
            |> ignore
            b
        | WeightsFile
        | RandomInit -> start

    let loss = Components.loss e data.Dataset.LabelNames.Count
    let inputs = headInputs e data backbone.NumFeatures
    let head = Components.head e inputs |> withCenters loss
    use network = new HashingNetwork(backbone, head)
    network.To device |> ignore
    let batch = e.Training.BatchSize
    let eval = ImageTransform.Warp size

    let scorable: Scoring.Scorable =
        {
            Encode =
                fun items ->
                    let struct (codes, _) =
                        ImageEncoder.Encode(network, data.Dataset, items, eval, batch, device, ctx.Budget.LoaderWorkers)

                    codes
            Scores = fun items -> ImageEncoder.Scores(network, data.Dataset, items, eval, batch, device, ctx.Budget.LoaderWorkers)
        }

    // Rendered and real photographs take the official augmentation (random crops of scales, flips); the embedded
    // scenes, drawn at their input size, take the warp and flip they were pre-trained with.
    let augmentation =
        match e.Data.Source with
        | Official -> ImageTransform.OfficialTrain size
        | Embedded -> ImageTransform.WarpFlip size

    let fit, validation = holdOut e data.Split
    let source = ImageBatches(imageBatches ctx data fit augmentation batch e.Seed)
    let threads = ctx.Budget.MetricThreads
    let scorer = Scoring.epochScorer e threads scorable data.Dataset data.Split validation
    let result, seconds = train ctx e network loss source scorer

    let description =
        $"{describeBackbone e.Backbone}, trained end to end from "
        + (match e.Backbone.Weights with
           | WeightsFile -> $"the weights of {Path.GetFileName e.Backbone.WeightsFile}"
           | RandomInit -> "random initialisation"
           | Pretrained _ -> $"its pre-training here ({report.Description})")

    if ctx.Budget.IsLeader then
        ModelFile.save (Path.Combine(ctx.RunDir, ModelFile.fileName)) ctx.Hash e data.Dataset.LabelNames backbone head inputs description
        dropCheckpoints ctx.RunDir

    {
        Epochs = epochLogs result
        Final = Scoring.final e threads scorable data.Dataset data.Split |> selected result
        Backbone =
            {
                Description = description
                ClassificationMap = report.ClassificationMap
            }
        ImagesPerSecond = float (fit.Length * result.Epochs.Count) / max seconds 1e-9
    }

/// Runs one experiment: everything that can be checked up front is checked before training starts.
let execute (ctx: RunContext) (e: Experiment) : RunOutput =
    ExperimentFile.validate e.Name e |> ignore
    let data = load e

    for w in data.Warnings do
        ctx.Progress.Status $"{e.Name}: warning: {w}"

    match e.Training.Mode with
    | FeatureMode -> runFeatureMode ctx e data
    | EndToEnd -> runEndToEnd ctx e data
