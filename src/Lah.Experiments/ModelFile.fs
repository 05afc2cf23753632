/// A run's saved network read back: `lah encode` and `lah query --image` rebuild backbone + head from the model file
/// alone (experiment record, label names and tensors), without the dataset it was trained on.
module Lah.Experiments.ModelFile

open System
open System.IO
open Lah.Data
open Lah.Hashing.Models
open Lah.Torch
open Lah.Torch.Serialization
open Lah.Training.EndToEnd
open Lah.Experiments.Engine

type LoadedModel =
    {
        Path: string
        /// SHA-256 of the file (hex): what a resumed encode checks it continues with.
        Digest: string
        Experiment: Experiment
        Run: string
        Network: HashingNetwork
        Bits: int
        InputSize: int
        LabelNames: string[]
        Description: string
        /// A feature-mode run's backbone (metadata mode "feature"): frozen, pre-trained or from a weights file, so its
        /// pooled features of an image may be cached across models; an end-to-end model's backbone is its own.
        FrozenBackbone: bool
    }

    interface IDisposable with
        member m.Dispose() = m.Network.Dispose()

/// `--model` as given: a model file, a run folder holding one, or a run's hash under `<results>/runs/`.
let resolve (results: string) (arg: string) =
    let inRun dir =
        let f = Path.Combine(dir, modelFileName)

        if File.Exists f then
            f
        else
            raise (
                FileNotFoundException(
                    $"--model: the run folder {dir} holds no {modelFileName} (runs finished before models were saved, and sanity rows, have none)",
                    f
                )
            )

    if File.Exists arg then
        Path.GetFullPath arg
    elif Directory.Exists arg then
        inRun (Path.GetFullPath arg)
    elif arg.Length >= 8 && arg |> Seq.forall Uri.IsHexDigit then
        let dir = Path.Combine(results, "runs", arg)

        if Directory.Exists dir then
            inRun (Path.GetFullPath dir)
        else
            let runs = Path.Combine(results, "runs")
            raise (DirectoryNotFoundException $"--model: no run {arg} under {runs}")
    else
        raise (FileNotFoundException($"--model: {arg} is neither a model file, a run folder nor a run's hash", arg))

let private required (file: string) (m: Collections.Generic.IReadOnlyDictionary<string, string>) (key: string) =
    match m.TryGetValue key with
    | true, v -> v
    | _ -> raise (InvalidDataException $"--model: {file} has no '{key}' in its metadata (not a LAH model file?)")

/// The head the record describes, with its derived inputs (word vectors, label graph) taken from the file.
let private rebuildHead
    (e: Experiment)
    (labels: int)
    (imageDim: int)
    (tensors: Collections.Generic.Dictionary<string, Tensor>)
    : IHashHead =
    let centered = tensors.ContainsKey "head.centers"
    let prefix = if centered then "head.head." else "head."

    let inner: IHashHead =
        match e.Head with
        | DchHead -> new DchModel(imageDim, labels, e.Bits, true)
        | Lah h
        | Classifier h when h.Embedding = NoEmbedding ->
            new DchModel(imageDim, labels, e.Bits, (lahConfig e h labels imageDim labels).TanhInTraining)
        | Lah h
        | Classifier h ->
            let input = tensors[ModelKeys.DerivedPrefix + prefix + "inp"]
            let wordDim = int input.Shape[1]
            let cfg = lahConfig e h labels imageDim wordDim
            let correlation = tensors[prefix + "A"].ToDoubleArray()
            new LahModel(cfg, input.ToFloatArray(), correlation)
        | other -> invalidArg "--model" $"{other} has no trained network"

    if centered then
        new CenterHashHead(inner, tensors["head.centers"])
    else
        inner

/// Reads a model file and rebuilds its network in evaluation mode on `device`.
let load (path: string) (device: Device) : LoadedModel =
    if not (File.Exists path) then
        raise (FileNotFoundException($"--model: {path} does not exist", path))

    let digest =
        use s = File.OpenRead path
        Convert.ToHexString(Security.Cryptography.SHA256.HashData s).ToLowerInvariant()

    use file = TrainedModelFile.Load path
    let meta = file.Metadata
    let get = required path meta

    if get ModelKeys.Format <> ModelKeys.FormatValue then
        raise (
            InvalidDataException $"--model: {path} is format '{get ModelKeys.Format}', expected {ModelKeys.FormatValue}"
        )

    // Encoding feeds the network as the runs' evaluation does: warp to the input size, ImageNet mean and std.
    let expected =
        [
            ModelKeys.InputTransform, "warp"
            ModelKeys.InputMean,
            String.Join(
                ",",
                ImageNetNormalize.Mean
                |> Array.map (fun x -> x.ToString("R", Globalization.CultureInfo.InvariantCulture))
            )
            ModelKeys.InputStd,
            String.Join(
                ",",
                ImageNetNormalize.Std
                |> Array.map (fun x -> x.ToString("R", Globalization.CultureInfo.InvariantCulture))
            )
        ]

    for key, want in expected do
        if get key <> want then
            raise (
                InvalidDataException
                    $"--model: {path} wants input '{key}' = {get key}; this version encodes with {want}"
            )

    let e =
        match file.Experiment with
        | null -> raise (InvalidDataException $"--model: {path} has no experiment record in its metadata")
        | yaml -> ExperimentFile.decode path yaml

    let labels =
        Text.Json.JsonSerializer.Deserialize<string[]>(get ModelKeys.Labels)
        |> Option.ofObj
        |> Option.defaultValue [||]

    let classes = int (get ModelKeys.BackboneClasses)

    let referenced =
        match meta.TryGetValue ModelKeys.WeightsFile with
        | true, f -> Some f
        | _ -> None

    let backbone =
        match referenced with
        | None -> createBackbone e.Backbone e.Seed classes None
        | Some weights ->
            if not (File.Exists weights) then
                raise (
                    FileNotFoundException(
                        $"--model: {path} takes its frozen backbone from {weights}, which does not exist (moved? the run's backbone.weights-file)",
                        weights
                    )
                )

            let actual =
                use s = File.OpenRead weights
                Convert.ToHexString(Security.Cryptography.SHA256.HashData s).ToLowerInvariant()

            if actual <> get ModelKeys.WeightsDigest then
                raise (
                    InvalidDataException
                        $"--model: {path} takes its frozen backbone from {weights}, which has changed since the run (SHA-256 {actual[..11]}…, expected {(get ModelKeys.WeightsDigest)[..11]}…)"
                )

            createBackbone e.Backbone e.Seed classes (Some weights)

    let head =
        try
            rebuildHead e labels.Length backbone.NumFeatures file.Tensors
        with ex ->
            backbone.Dispose()
            raise ex

    let network = new HashingNetwork(backbone, head)

    try
        let state =
            file.Tensors
            |> Seq.filter (fun kv -> not (kv.Key.StartsWith ModelKeys.DerivedPrefix))
            |> Seq.map (fun kv -> kv.Key, kv.Value)
            |> readOnlyDict

        match referenced with
        | None -> network.LoadStateDict(state, strict = true) |> ignore
        | Some _ ->
            // The backbone came from its weights file; the model file holds the head alone.
            let headState =
                state
                |> Seq.filter (fun kv -> kv.Key.StartsWith "head.")
                |> Seq.map (fun kv -> kv.Key.Substring 5, kv.Value)
                |> readOnlyDict

            (head :?> Lah.Torch.NN.Module).LoadStateDict(headState, strict = true) |> ignore

        // Â and the GCN input exactly as trained (LoadStateDict recomputed Â from the stored A).
        use _ = Torch.NoGrad()

        for struct (name, buffer) in network.NamedBuffers() do
            match file.Tensors.TryGetValue(ModelKeys.DerivedPrefix + name) with
            | true, t -> buffer.Copy_(t) |> ignore
            | _ -> ()

        network.Eval()

        if device <> Device.CPU then
            try
                network.To device |> ignore
            with :? InvalidOperationException as e ->
                raise (ArgumentException $"--device: {e.Message}")

        {
            Path = path
            Digest = digest
            Experiment = e
            Run = get ModelKeys.Run
            Network = network
            Bits = int (get ModelKeys.Bits)
            InputSize = int (get ModelKeys.InputSize)
            LabelNames = labels
            Description = get ModelKeys.Description
            FrozenBackbone = get ModelKeys.Mode = "feature"
        }
    with _ ->
        network.Dispose()
        reraise ()
