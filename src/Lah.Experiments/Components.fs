/// One builder per component: every backbone, head, loss and optimizer a record can name is built here and nowhere
/// else (training, the model file and `lah encode` all call these), so a record means the same everywhere.
module Lah.Experiments.Components

open System
open System.IO
open Lah.Hashing.Config
open Lah.Hashing.Losses
open Lah.Hashing.Models
open Lah.Torch
open Lah.Training
open Lah.Vision.Registry

/// A backbone with `classes` classifier outputs (0: none) from the registry, its initial weights drawn from a
/// generator seeded with the experiment's seed (nothing else in the process can change them), then `weightsFile`'s
/// weights when given.
let backbone (b: Backbone) (seed: int) (classes: int) (weightsFile: string option) : Lah.Vision.Backbone =
    use generator = new Generator(int64 seed)

    // The small CNN's widths (the registry refuses widths for any other architecture); none: its defaults.
    let widths: Collections.Generic.IReadOnlyList<int> | null =
        match b.Widths with
        | [] -> null
        | w -> Array.ofList w

    let options =
        ModelOptions(
            NumClasses = Nullable classes,
            Pooling = Nullable b.Pooling,
            Widths = widths,
            WeightsFile = Option.toObj weightsFile
        )

    ModelRegistry.Default.Create(b.Arch, options, generator)

/// A backbone's description under the tables.
let describeBackbone (b: Backbone) =
    let arch =
        match b.Arch, b.Widths with
        | "smallcnn", (_ :: _ as w) -> $"""small CNN {w |> List.map string |> String.concat "-"}"""
        | arch, _ -> arch

    let pooling =
        match b.Pooling with
        | Lah.Vision.GlobalPooling.Max -> "global max pooling"
        | Lah.Vision.GlobalPooling.Average -> "global average pooling"
        | other -> invalidArg "backbone.pooling" $"unknown pooling {other}"

    $"{arch} ({pooling}, {b.InputSize}×{b.InputSize})"

/// What a head needs besides the record: the label count and names, the feature size, and the label branch's
/// inputs (word vectors R×W row-major or none for one-hot, and the label graph's counts from the training split).
type HeadInputs =
    {
        Labels: int
        ImageDim: int
        WordVectors: float32[] option
        WordDim: int
        /// Per-label counts and the R×R co-occurrence counts (row-major) of the training split.
        Nums: float[]
        Cooccurrence: float[]
    }

/// The C# configuration of a LAH (or classifier) head for these inputs.
let lahConfig (e: Experiment) (h: LahHeadOptions) (inputs: HeadInputs) =
    LahConfig(Head = h, LabelCount = inputs.Labels, HashBits = e.Bits, ImageDim = inputs.ImageDim, WordDim = inputs.WordDim)

/// The head of a record, its initial weights drawn from a generator seeded with the record's seed.
let head (e: Experiment) (inputs: HeadInputs) : IHashHead =
    use generator = new Generator(int64 e.Seed)

    match e.Head with
    | DchHead -> new DchModel(inputs.ImageDim, inputs.Labels, e.Bits, true, generator)
    | Lah h
    | Classifier h ->
        HashHeads.Create(
            lahConfig e h inputs,
            Option.toObj inputs.WordVectors,
            ReadOnlySpan inputs.Nums,
            ReadOnlySpan inputs.Cooccurrence,
            generator
        )
    | Lsh
    | RandomCodes
    | Collapsed -> invalidArg "head" $"{e.Head} is a sanity row: it trains no head"

/// The loss of a record; label centers are drawn from the record's seed (the hybrid loss: its own centers seed).
let loss (e: Experiment) (labels: int) : IHashLoss =
    let centers (seed: int) =
        HashCenters.Generate(labels, e.Bits, uint64 seed)

    match e.Loss with
    | Cauchy c -> CauchyHashLoss(c)
    | Hybrid h -> HybridHashLoss(labels, e.Bits, h)
    | Csq lambda -> CsqLoss(centers e.Seed, lambda)
    | HashNet h -> HashNetLoss(h)
    | Dpsh eta -> DpshLoss(eta)
    | ClassificationLoss -> MultiLabelSoftMarginLoss()
    | NoLoss -> invalidArg "loss" "a sanity row trains nothing"

/// A head carrying its loss's label centers (saved with the model), or the head itself for losses without centers.
let withCenters (loss: IHashLoss) (head: IHashHead) : IHashHead =
    match loss.Centers with
    | null -> head
    | centers -> new CenterHashHead(head, centers)

/// The optimizer over a model's parameter groups and its epoch-wise schedule. `rateOf` gives each group's learning rate.
let optimizer
    (o: Lah.Experiments.Optimizer)
    (schedule: Schedule)
    (weightDecay: float)
    (epochs: int)
    (rateOf: string -> float)
    (model: ITrainable)
    : Optim.Optimizer * Optim.LRScheduler option =
    let groups =
        model.OptimizedGroups()
        |> Seq.map (fun g -> Optim.ParamGroup(g.Parameters, rateOf g.Name, name = g.Name))
        |> List.ofSeq

    let lr = groups |> List.tryHead |> Option.map (fun g -> g.Lr) |> Option.defaultValue 0.0

    let built: Optim.Optimizer =
        match o with
        | Sgd momentum -> new Optim.SGD(groups, lr, momentum = momentum, weightDecay = weightDecay)
        | Adam -> new Optim.Adam(groups, lr, weightDecay = weightDecay)
        | AdamW -> new Optim.AdamW(groups, lr, weightDecay = weightDecay)

    let scheduled: Optim.LRScheduler option =
        match schedule with
        | Constant -> None
        | Step(every, gamma) -> Some(Optim.StepLR(built, every, gamma))
        | MultiStep(milestones, gamma) -> Some(Optim.MultiStepLR(built, milestones |> Seq.map int64, gamma))
        | Cosine -> Some(Optim.CosineAnnealingLR(built, int64 (max 1 epochs)))

    built, scheduled

/// A record's training optimizer: the backbone at lr × the backbone multiplier (the official `lrp`), the head's
/// groups at their own rates where the record names them, else lr.
let trainingOptimizer (t: Training) (model: ITrainable) =
    let rateOf name =
        match name, t.GroupRates.TryFind name with
        | _, Some rate -> rate
        | "backbone", None -> t.LearningRate * t.BackboneLrMultiplier
        | _, None -> t.LearningRate

    optimizer t.Optimizer t.Schedule t.WeightDecay t.Epochs rateOf model

/// The pre-training optimizer: one rate for the whole backbone.
let pretrainingOptimizer (p: Pretraining) (model: ITrainable) =
    optimizer p.Optimizer p.Schedule p.WeightDecay p.Epochs (fun _ -> p.LearningRate) model

/// "cpu", "cuda", "cuda:N" for `field`; CUDA where there is none is an error naming the field, never a CPU fallback.
let device (field: string) (text: string) =
    let d =
        try
            Device.Parse text
        with :? ArgumentException
             | :? FormatException ->
            invalidArg field $"expected \"cpu\", \"cuda\" or \"cuda:N\", got \"{text}\""

    if d.Type = DeviceType.Meta then
        invalidArg field $"\"{text}\" holds no values, and training reads the loss every step"

    if d.Type = DeviceType.CUDA && d.Index >= Device.CudaDeviceCount then
        raise (
            InvalidOperationException
                $"{field}: \"{text}\" asked for, but this machine/libtorch has {Device.CudaDeviceCount} CUDA device(s); use \"cpu\", or build against a CUDA libtorch (LIBTORCH=/path/to/libtorch) on a machine with a GPU"
        )

    d

/// A weights file the record names: present, else an error naming the field.
let weightsFile (b: Backbone) =
    if not (File.Exists b.WeightsFile) then
        raise (FileNotFoundException($"backbone.weights-file: {b.WeightsFile} does not exist", b.WeightsFile))

    b.WeightsFile
