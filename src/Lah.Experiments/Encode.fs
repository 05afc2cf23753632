/// `lah encode`: a folder or list of images → codes of a saved model → an index file (with labels when the list has
/// them) and a sidecar of image paths. Work is done in chunks of one batch, each persisted atomically beside the
/// output, so `--resume` continues a killed encode and produces the same bytes as an uninterrupted one.
module Lah.Experiments.Encode

open System
open System.IO
open System.Text.Json
open System.Threading.Tasks
open Lah.Data
open Lah.Retrieval
open Lah.Torch
open Lah.Torch.Serialization
open Lah.Experiments.ModelFile

/// An image that was not encoded, and why.
type Skipped = { Path: string; Reason: string }

/// Codes of the images a chunk decoded (ids: positions in the image list) and the ones it skipped.
type Chunk =
    {
        Ids: int64[]
        Words: uint64[]
        Skipped: Skipped list
    }

/// Decodes and encodes `paths` (ids `firstId`, `firstId + 1`, …) as one batch; an unreadable image is skipped.
let encodeBatch (model: LoadedModel) (workers: int) (firstId: int) (paths: string[]) : Chunk =
    let size = model.InputSize
    let transform = ImageTransform.Warp size
    let stride = transform.OutputLength
    let pixels = Array.zeroCreate<float32>(paths.Length * stride)
    let reasons = Array.create<string option> paths.Length None

    Parallel.For(
        0,
        paths.Length,
        ParallelOptions(MaxDegreeOfParallelism = max 1 workers),
        fun i ->
            try
                transform.Apply(ImageFileSource paths[i], Rng.For 0UL, Span(pixels, i * stride, stride))
            with
            | :? DataFormatException as e -> reasons[i] <- Some e.Message
            // Any other failure of one file (an absurd size, a decoder bug) is that file's, not the encode's.
            | e -> reasons[i] <- Some $"{paths[i]}: {e.GetType().Name}: {e.Message}"
    )
    |> ignore

    let good =
        [|
            for i in 0 .. paths.Length - 1 do
                if reasons[i].IsNone then
                    i
        |]

    let bits = model.Bits

    let words =
        if good.Length = 0 then
            [||]
        else
            let batch = Array.zeroCreate<float32>(good.Length * stride)

            good
            |> Array.iteri (fun j i -> Array.blit pixels (i * stride) batch (j * stride) stride)

            let network = model.Network
            use _ = Torch.NoGrad()
            use _ = Torch.NewScope()
            let device = Lah.Training.Features.FeatureEncoder.DeviceOf network.Head

            let x =
                Torch.FromArray(batch, int64 good.Length, 3L, int64 size, int64 size).To(device)

            // Frozen or not, the network is backbone features → head, as the run's own evaluation computed it.
            let outputs =
                network.Head.ForwardHead(network.Backbone.ForwardPooled x).Codes.Cpu().ToFloatArray()

            (PackedCodes.FromSigns(ReadOnlySpan outputs, good.Length, bits)).Words

    {
        Ids = good |> Array.map (fun i -> int64 (firstId + i))
        Words = words
        Skipped =
            [
                for i in 0 .. paths.Length - 1 do
                    match reasons[i] with
                    | Some r -> { Path = paths[i]; Reason = r }
                    | None -> ()
            ]
    }

let private chunkMagic = "LAHCHNK1"B

let private writeChunk (path: string) (c: Chunk) =
    AtomicFile.Write(
        path,
        fun s ->
            use w = new BinaryWriter(s, Text.Encoding.UTF8, leaveOpen = true)
            w.Write chunkMagic
            w.Write c.Ids.Length
            c.Ids |> Array.iter w.Write
            w.Write c.Words.Length
            c.Words |> Array.iter w.Write
            w.Write c.Skipped.Length

            for s in c.Skipped do
                w.Write s.Path
                w.Write s.Reason
    )

let private readChunk (path: string) : Chunk =
    use r = new BinaryReader(File.OpenRead path, Text.Encoding.UTF8)

    if r.ReadBytes 8 <> chunkMagic then
        raise (InvalidDataException $"--resume: {path} is not an encode chunk; delete its folder to start over")

    let ids = Array.init (r.ReadInt32()) (fun _ -> r.ReadInt64())
    let words = Array.init (r.ReadInt32()) (fun _ -> r.ReadUInt64())

    let skipped =
        List.init (r.ReadInt32()) (fun _ ->
            let p = r.ReadString()
            { Path = p; Reason = r.ReadString() })

    {
        Ids = ids
        Words = words
        Skipped = skipped
    }

/// What identifies an encode's work: a chunk may only be reused by an encode with the same key.
type ResumeKey =
    {
        Model: string
        Images: string
        Count: int
        Batch: int
        Bits: int
    }

let imagesDigest (images: ImageList) =
    use sha =
        Security.Cryptography.IncrementalHash.CreateHash Security.Cryptography.HashAlgorithmName.SHA256

    for p in images.Paths do
        sha.AppendData(Text.Encoding.UTF8.GetBytes(p + "\n"))

    match images.Labels with
    | null -> ()
    | l -> sha.AppendData(Runtime.InteropServices.MemoryMarshal.AsBytes(ReadOnlySpan l))

    Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant()

/// The folder of finished chunks beside the output.
let partialDir (out: string) = Path.GetFullPath out + ".partial"

/// The sidecar mapping ids to image paths (`id<TAB>path` per line).
let pathsFile (out: string) = out + ".paths.tsv"

type Options =
    {
        Batch: int
        Resume: bool
        /// Decoding threads.
        Workers: int
        /// After each chunk is persisted (chunks done, chunks in all, images done): false stops the encode, as a
        /// kill would (tests interrupt with it).
        AfterChunk: int -> int -> int -> bool
    }

type Outcome =
    {
        Out: string
        Encoded: int
        Skipped: Skipped list
        /// Chunks taken from an earlier, interrupted encode.
        Reused: int
        Seconds: float
        /// Images decoded and encoded per second by this invocation (reused chunks excluded).
        ImagesPerSecond: float
    }

exception Interrupted of chunks: int

let private checkKey (dir: string) (want: ResumeKey) =
    let file = Path.Combine(dir, "manifest.json")

    let unreadable (why: string) =
        InvalidDataException($"--resume: {file} is not readable ({why}); run without --resume to start over")

    let have: ResumeKey =
        try
            match JsonSerializer.Deserialize<ResumeKey>(File.ReadAllText file) with
            | null -> raise (unreadable "empty")
            | k -> k
        with
        | :? JsonException as e -> raise (unreadable e.Message)
        | :? FileNotFoundException -> raise (unreadable "missing")

    let refuse what =
        raise (
            ArgumentException
                $"--resume: the interrupted encode in {dir} used {what}; run without --resume to start over"
        )

    if have.Model <> want.Model then
        refuse $"another model (SHA-256 {have.Model[..11]}…, --model is {want.Model[..11]}…)"

    if have.Images <> want.Images || have.Count <> want.Count then
        refuse
            $"another image list ({have.Count} images, digest {have.Images[..11]}…; now {want.Count}, {want.Images[..11]}…)"

    if have.Batch <> want.Batch then
        refuse $"--batch {have.Batch} (now {want.Batch})"

/// Encodes every image of `images` with `model` into the index file `out`.
let run (model: LoadedModel) (images: ImageList) (out: string) (options: Options) : Outcome =
    if images.Count = 0 then
        raise (ArgumentException "--images: no image to encode")

    if options.Batch < 1 then
        raise (ArgumentException $"--batch: expected a positive batch size, got {options.Batch}")

    let key =
        {
            Model = model.Digest
            Images = imagesDigest images
            Count = images.Count
            Batch = options.Batch
            Bits = model.Bits
        }

    let dir = partialDir out

    if Directory.Exists dir then
        if options.Resume then
            checkKey dir key
        else
            Directory.Delete(dir, true)

    Directory.CreateDirectory dir |> ignore
    AtomicFile.WriteAllText(Path.Combine(dir, "manifest.json"), JsonSerializer.Serialize key)
    let chunks = (images.Count + options.Batch - 1) / options.Batch
    let chunkFile c = Path.Combine(dir, $"chunk-{c:D6}.bin")
    let clock = Diagnostics.Stopwatch.StartNew()
    let mutable reused = 0
    let mutable fresh = 0

    for c in 0 .. chunks - 1 do
        let file = chunkFile c

        if File.Exists file then
            reused <- reused + 1
        else
            let first = c * options.Batch
            let n = min options.Batch (images.Count - first)
            let paths = Array.init n (fun i -> images.Paths[first + i])
            writeChunk file (encodeBatch model options.Workers first paths)
            fresh <- fresh + n

        if not (options.AfterChunk (c + 1) chunks (min images.Count ((c + 1) * options.Batch))) then
            raise (Interrupted(c + 1))

    let seconds = clock.Elapsed.TotalSeconds
    let parts = [ for c in 0 .. chunks - 1 -> readChunk (chunkFile c) ]
    let ids = parts |> Array.ofList |> Array.collect (fun p -> p.Ids)
    let words = parts |> Array.ofList |> Array.collect (fun p -> p.Words)
    let skipped = parts |> List.collect (fun p -> p.Skipped)
    let codes = PackedCodes.FromWords(words, ids.Length, model.Bits, ids)

    let labels =
        match images.Labels with
        | null -> None
        | _ when ids.Length = 0 -> None
        | all ->
            let r = images.LabelNames.Count

            let rows = ids |> Array.collect (fun id -> Array.sub all (int id * r) r)

            Some(IndexLabels(Array.ofSeq images.LabelNames, ReadOnlySpan rows, ids.Length))

    IndexFile.Write(out, codes, Option.toObj labels)

    let sidecar =
        ids
        |> Array.map (fun id -> $"{id}\t{images.Paths[int id]}")
        |> String.concat "\n"

    AtomicFile.WriteAllText(pathsFile out, sidecar + "\n")
    Directory.Delete(dir, true)

    {
        Out = out
        Encoded = ids.Length
        Skipped = skipped
        Reused = reused
        Seconds = seconds
        ImagesPerSecond = float fresh / max seconds 1e-9
    }

/// The paths sidecar of an index file, id → path (empty when there is none).
let readPaths (index: string) : Map<int64, string> =
    let f = pathsFile index

    if File.Exists f then
        File.ReadLines f
        |> Seq.filter (fun l -> l.Length > 0)
        |> Seq.map (fun l ->
            let tab = l.IndexOf '\t'
            int64 l[.. tab - 1], l[tab + 1 ..])
        |> Map.ofSeq
    else
        Map.empty

/// `lah query --image`: the code of one image under `model`, checked against the index it will search.
let imageCode (model: LoadedModel) (image: string) (indexFile: string) (indexBits: int) =
    if not (File.Exists image) then
        raise (FileNotFoundException($"--image: {image} does not exist", image))

    if model.Bits <> indexBits then
        raise (
            ArgumentException
                $"--model: {model.Path} makes {model.Bits}-bit codes, but --index {indexFile} holds {indexBits}-bit ones"
        )

    match encodeBatch model 1 0 [| image |] with
    | { Skipped = s :: _ } -> raise (InvalidDataException $"--image: {s.Reason}")
    | chunk -> PackedCodes.FromWords(chunk.Words, 1, model.Bits, [| 0L |])
