/// A run's saved network: written at the end of a run, read back by `lah encode` and `lah query --image`, which
/// rebuild backbone + head from the file alone (experiment record, label names, the head's inputs and tensors) with
/// the same builders training used (Components), without the dataset it was trained on.
module Lah.Experiments.ModelFile

open System
open System.IO
open Lah.Data
open Lah.Hashing.Models
open Lah.Torch
open Lah.Torch.Serialization
open Lah.Training
open Lah.Experiments.Components

/// The file a run's trained network is saved to.
let fileName = "model.safetensors"

/// The format this version writes and reads.
let formatValue = "lah-model/2"

/// Metadata keys of a model file besides the experiment record.
module Keys =
    let Format = "format"
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
    /// The head's inputs (word vectors, label counts, co-occurrence counts): what the head factory builds from.
    let InputsPrefix = "inputs."
    /// A feature-mode run's frozen backbone from the user's weights file is not copied into every run's model: the
    /// file is named (absolute path) with its SHA-256, and encoding loads it from there.
    let WeightsFile = "backbone.weights-file"
    let WeightsDigest = "backbone.weights-sha256"

let private floats (xs: float32[]) =
    xs
    |> Array.map (fun x -> x.ToString("R", Globalization.CultureInfo.InvariantCulture))
    |> String.concat ","

let private sha256 (file: string) =
    use s = File.OpenRead file
    Convert.ToHexString(Security.Cryptography.SHA256.HashData s).ToLowerInvariant()

let private modeName (m: TrainingMode) =
    match m with
    | FeatureMode -> "feature"
    | EndToEnd -> "end-to-end"

/// Saves backbone + head as one safetensors file (atomically): the state dict under HashingNetwork's names
/// (`backbone.…`, `head.…`), the head's inputs, the experiment record and what encoding needs to feed the network
/// (label names, input size and normalisation). A feature-mode run on the user's weights file references that file.
let save
    (path: string)
    (run: string)
    (e: Experiment)
    (labelNames: string seq)
    (backbone: Lah.Vision.Backbone)
    (head: IHashHead)
    (inputs: HeadInputs)
    (description: string)
    =
    let headModule = head :?> Lah.Torch.NN.Module
    let headState = headModule.StateDict()
    let referenced = e.Training.Mode = FeatureMode && e.Backbone.Weights = WeightsFile
    use _ = Torch.NewScope()

    let tensors =
        [
            if not referenced then
                for KeyValue(k, v) in backbone.StateDict() do
                    yield Collections.Generic.KeyValuePair("backbone." + k, v)
            for KeyValue(k, v) in headState do
                yield Collections.Generic.KeyValuePair("head." + k, v)
            for struct (k, v) in headModule.NamedBuffers() do
                if not (headState.ContainsKey k) then
                    yield Collections.Generic.KeyValuePair(Keys.DerivedPrefix + "head." + k, v)
            let r = int64 inputs.Labels

            match inputs.WordVectors with
            | Some w ->
                yield
                    Collections.Generic.KeyValuePair(
                        Keys.InputsPrefix + "word_vectors",
                        Torch.FromArray(w, r, int64 inputs.WordDim)
                    )
            | None -> ()

            yield Collections.Generic.KeyValuePair(Keys.InputsPrefix + "nums", Torch.FromArray(inputs.Nums, r))

            yield
                Collections.Generic.KeyValuePair(Keys.InputsPrefix + "cooccurrence", Torch.FromArray(inputs.Cooccurrence, r, r))
        ]

    let metadata =
        dict
            [
                if referenced then
                    let file = Path.GetFullPath e.Backbone.WeightsFile
                    Keys.WeightsFile, file
                    Keys.WeightsDigest, sha256 file
                Keys.Format, formatValue
                Keys.Run, run
                Keys.Mode, modeName e.Training.Mode
                Keys.Bits, string e.Bits
                Keys.Labels, Text.Json.JsonSerializer.Serialize(Array.ofSeq labelNames)
                Keys.BackboneClasses, string backbone.NumClasses
                Keys.BackboneFeatures, string backbone.NumFeatures
                Keys.InputSize, string e.Backbone.InputSize
                Keys.InputTransform, "warp"
                Keys.InputMean, floats ImageNetNormalize.Mean
                Keys.InputStd, floats ImageNetNormalize.Std
                Keys.Description, description
            ]

    TrainedModelFile.Save(path, tensors, ExperimentFile.toYaml e, Collections.Generic.Dictionary(metadata))

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
        let f = Path.Combine(dir, fileName)

        if File.Exists f then
            f
        else
            raise (
                FileNotFoundException(
                    $"--model: the run folder {dir} holds no {fileName} (runs finished before models were saved, and sanity rows, have none)",
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

/// The head's inputs as the file holds them.
let private inputsOf (file: string) (tensors: Collections.Generic.Dictionary<string, Tensor>) (labels: int) (imageDim: int) =
    let get name =
        match tensors.TryGetValue(Keys.InputsPrefix + name) with
        | true, t -> t
        | _ -> raise (InvalidDataException $"--model: {file} has no tensor '{Keys.InputsPrefix}{name}'")

    let words =
        match tensors.TryGetValue(Keys.InputsPrefix + "word_vectors") with
        | true, t -> Some t
        | _ -> None

    {
        Labels = labels
        ImageDim = imageDim
        WordVectors = words |> Option.map (fun t -> t.ToFloatArray())
        WordDim = words |> Option.map (fun t -> int t.Shape[1]) |> Option.defaultValue labels
        Nums = (get "nums").ToDoubleArray()
        Cooccurrence = (get "cooccurrence").ToDoubleArray()
    }

/// Reads a model file and rebuilds its network in evaluation mode on `device`.
let load (path: string) (device: Device) : LoadedModel =
    if not (File.Exists path) then
        raise (FileNotFoundException($"--model: {path} does not exist", path))

    use file = TrainedModelFile.Load path
    let meta = file.Metadata
    let get = required path meta

    if get Keys.Format <> formatValue then
        raise (
            InvalidDataException
                $"--model: {path} is format '{get Keys.Format}', this version reads {formatValue} (files written before the one training loop keep no head inputs: rerun the run to save one)"
        )

    // Encoding feeds the network as the runs' evaluation does: warp to the input size, ImageNet mean and std.
    for key, want in
        [
            Keys.InputTransform, "warp"
            Keys.InputMean, floats ImageNetNormalize.Mean
            Keys.InputStd, floats ImageNetNormalize.Std
        ] do
        if get key <> want then
            raise (InvalidDataException $"--model: {path} wants input '{key}' = {get key}; this version encodes with {want}")

    let e =
        match file.Experiment with
        | null -> raise (InvalidDataException $"--model: {path} has no experiment record in its metadata")
        | yaml -> ExperimentFile.decode path yaml

    let labels =
        Text.Json.JsonSerializer.Deserialize<string[]>(get Keys.Labels)
        |> Option.ofObj
        |> Option.defaultValue [||]

    let referenced =
        match meta.TryGetValue Keys.WeightsFile with
        | true, f -> Some f
        | _ -> None

    let weights =
        referenced
        |> Option.map (fun w ->
            if not (File.Exists w) then
                raise (
                    FileNotFoundException(
                        $"--model: {path} takes its frozen backbone from {w}, which does not exist (moved? the run's backbone.weights-file)",
                        w
                    )
                )

            let actual = sha256 w

            if actual <> get Keys.WeightsDigest then
                raise (
                    InvalidDataException
                        $"--model: {path} takes its frozen backbone from {w}, which has changed since the run (SHA-256 {actual[..11]}…, expected {(get Keys.WeightsDigest)[..11]}…)"
                )

            w)

    let backbone = Components.backbone e.Backbone e.Seed (int (get Keys.BackboneClasses)) weights

    let network =
        try
            let inputs = inputsOf path file.Tensors labels.Length backbone.NumFeatures
            let h = Components.head e inputs
            let withCenters =
                match file.Tensors.TryGetValue "head.centers" with
                | true, c -> new CenterHashHead(h, c) :> IHashHead
                | _ -> h

            new HashingNetwork(backbone, withCenters)
        with _ ->
            backbone.Dispose()
            reraise ()

    try
        let state =
            file.Tensors
            |> Seq.filter (fun kv ->
                not (kv.Key.StartsWith Keys.DerivedPrefix || kv.Key.StartsWith Keys.InputsPrefix))
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

            (network.Head :?> Lah.Torch.NN.Module).LoadStateDict(headState, strict = true) |> ignore

        // Â and the GCN input exactly as trained (LoadStateDict recomputed Â from the stored A).
        use _ = Torch.NoGrad()

        for struct (name, buffer) in network.NamedBuffers() do
            match file.Tensors.TryGetValue(Keys.DerivedPrefix + name) with
            | true, t -> buffer.Copy_(t) |> ignore
            | _ -> ()

        network.Eval()

        if device <> Device.CPU then
            try
                network.To device |> ignore
            with :? InvalidOperationException as ex ->
                raise (ArgumentException $"--device: {ex.Message}")

        {
            Path = path
            Digest = sha256 path
            Experiment = e
            Run = get Keys.Run
            Network = network
            Bits = int (get Keys.Bits)
            InputSize = int (get Keys.InputSize)
            LabelNames = labels
            Description = get Keys.Description
            FrozenBackbone = get Keys.Mode = "feature"
        }
    with _ ->
        network.Dispose()
        reraise ()
