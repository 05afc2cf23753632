/// `lah encode`: a folder or list of images → codes of a saved model → an index file (with labels when the list has
/// them) and a sidecar of image paths. Work is done in chunks of one batch, each persisted atomically beside the
/// output, so `--resume` continues a killed encode and produces the same bytes as an uninterrupted one.
module Lah.Experiments.Encode

open System
open System.IO
open System.Text.Json
open System.Threading.Tasks
open Lah.Common
open Lah.Data
open Lah.Retrieval
open Lah.Torch
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

/// Pooled backbone features of single images under a frozen backbone, kept between encodes so another head on the
/// same backbone (another feature-mode run of a grid, a user trying several heads) skips decoding and the backbone.
///
/// The training cache (Lah.Training.Caching.FeatureCache) keeps one entry per dataset, valid as a whole; an encode
/// needs one entry per image (collections grow, files change one at a time), so entries here are per image, but the
/// backbone's identity is the training cache's: a SHA-256 over the backbone's tensors as
/// FeatureCache.WeightsFingerprint computes it (the classifier left out), whether the tensors came from the model file
/// or a referenced weights file. With it go the backbone's class, width and pooling and the input (warp to the size,
/// ImageNet normalisation). An image is identified by a SHA-256 of
/// its file's bytes, not by path + size + mtime: reading a file costs little beside decoding it and running the
/// backbone, a file rewritten within the file system's mtime resolution at the same size is still caught, and a
/// collection that is moved or copied keeps its entries.
type FeatureStore =
    {
        /// The backbone's folder: `<root>/<backbone class>-<key>/`, entries `<2 hex>/<image sha-256>.f32`.
        Dir: string
        Dim: int
    }

module FeatureStore =
    let private format = "lah-encode-features/1"

    /// SHA-256 over the backbone's state-dict entries (name, dtype, shape, bytes; running statistics included) as
    /// FeatureCache.WeightsFingerprint hashes them, less the classifier, which pooled features do not pass through: a
    /// backbone saved with its pre-training classifier and the same weights file loaded without one are one backbone.
    let weightsFingerprint (b: Lah.Vision.Backbone) =
        use hash =
            Security.Cryptography.IncrementalHash.CreateHash Security.Cryptography.HashAlgorithmName.SHA256

        for kv in b.StateDict() do
            if not (kv.Key.StartsWith(b.ClassifierName + ".")) then
                let t = kv.Value
                hash.AppendData(Text.Encoding.UTF8.GetBytes $"{kv.Key}|{t.DType}|{String.Join(',', t.Shape)}|")
                hash.AppendData(Serialization.TensorSafeTensors.ToBytes t)

        Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()

    /// The backbone's identity: what its features of an image depend on.
    let backboneIdentity (model: LoadedModel) =
        let b = model.Network.Backbone

        String.Join(
            "|",
            [|
                format
                b.GetType().Name
                $"d{b.NumFeatures}"
                string b.Pooling
                weightsFingerprint b
                $"warp/{model.InputSize}/imagenet-normalize"
            |]
        )

    /// The store of `model`'s backbone under `root`; None when the backbone is not frozen (an end-to-end model's
    /// backbone was trained with its head: nothing could share its features).
    let openFor (root: string) (model: LoadedModel) : FeatureStore option =
        if not model.FrozenBackbone then
            None
        else
            let identity = backboneIdentity model

            let key =
                Convert
                    .ToHexString(Security.Cryptography.SHA256.HashData(Text.Encoding.UTF8.GetBytes identity))
                    .ToLowerInvariant()

            let dir =
                Path.Combine(Path.GetFullPath root, $"{model.Network.Backbone.GetType().Name}-{key[..15]}")

            Directory.CreateDirectory dir |> ignore
            let about = Path.Combine(dir, "backbone.txt")

            if not (File.Exists about) then
                AtomicFile.WriteAllText(about, identity + "\n")

            Some
                {
                    Dir = dir
                    Dim = model.Network.Backbone.NumFeatures
                }

    let imageDigest (bytes: byte[]) =
        Convert.ToHexString(Security.Cryptography.SHA256.HashData bytes).ToLowerInvariant()

    let private entry (s: FeatureStore) (digest: string) =
        Path.Combine(s.Dir, digest[..1], digest + ".f32")

    /// The features of the image with this digest, or None (absent, or not `Dim` floats: treated as absent).
    let tryRead (s: FeatureStore) (digest: string) : float32[] option =
        let f = entry s digest

        try
            let bytes = File.ReadAllBytes f

            if bytes.Length <> 4 * s.Dim then
                None
            else
                let v = Array.zeroCreate<float32> s.Dim
                Buffer.BlockCopy(bytes, 0, v, 0, bytes.Length)
                Some v
        with
        | :? FileNotFoundException
        | :? DirectoryNotFoundException -> None

    let write (s: FeatureStore) (digest: string) (features: ReadOnlySpan<float32>) =
        let f = entry s digest
        Directory.CreateDirectory(Path.Combine(s.Dir, digest[..1])) |> ignore
        let bytes = Runtime.InteropServices.MemoryMarshal.AsBytes(features).ToArray()
        AtomicFile.Write(f, fun st -> st.Write(bytes, 0, bytes.Length))

    /// Entries held (tests, reports).
    let count (s: FeatureStore) =
        Directory.EnumerateFiles(s.Dir, "*.f32", SearchOption.AllDirectories)
        |> Seq.length

/// Decodes and encodes `paths` (ids `firstId`, `firstId + 1`, …) as one batch; an unreadable image is skipped. With a
/// feature store, an image whose features it holds is neither decoded nor run through the backbone, and the features
/// the backbone computes are stored. The head always runs on the whole batch's features, cached or not, so the codes
/// are those of an uncached encode. Also returns how many images' features came from the store.
let encodeBatchWith (model: LoadedModel) (store: FeatureStore option) (workers: int) (firstId: int) (paths: string[]) =
    let size = model.InputSize
    let transform = ImageTransform.Warp size
    let stride = transform.OutputLength
    let pixels = Array.zeroCreate<float32>(paths.Length * stride)
    let reasons = Array.create<string option> paths.Length None
    let digests = Array.create paths.Length ""
    let cached = Array.create<float32[] option> paths.Length None

    Parallel.For(
        0,
        paths.Length,
        ParallelOptions(MaxDegreeOfParallelism = max 1 workers),
        fun i ->
            try
                match store with
                | Some s ->
                    let d = FeatureStore.imageDigest (File.ReadAllBytes paths[i])
                    digests[i] <- d
                    cached[i] <- FeatureStore.tryRead s d
                | None -> ()

                if cached[i].IsNone then
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

    let misses = good |> Array.filter (fun i -> cached[i].IsNone)
    let bits = model.Bits

    let words =
        if good.Length = 0 then
            [||]
        else
            let network = model.Network
            use _ = Torch.NoGrad()
            use _ = Torch.NewScope()
            let device = Lah.Training.Inference.FeatureEncoder.DeviceOf network.Head

            let backbone (rows: int[]) =
                let batch = Array.zeroCreate<float32>(rows.Length * stride)

                rows
                |> Array.iteri (fun j i -> Array.blit pixels (i * stride) batch (j * stride) stride)

                let x =
                    Torch.FromArray(batch, int64 rows.Length, 3L, int64 size, int64 size).To(device)

                network.Backbone.ForwardPooled x

            let features =
                match store with
                // Frozen or not, the network is backbone features → head, as the run's own evaluation computed it.
                | None -> backbone good
                | Some s ->
                    let dim = s.Dim
                    let all = Array.zeroCreate<float32>(good.Length * dim)
                    let row = Collections.Generic.Dictionary<int, int>()
                    good |> Array.iteri (fun j i -> row[i] <- j)

                    if misses.Length > 0 then
                        let computed = (backbone misses).Cpu().ToFloatArray()

                        misses
                        |> Array.iteri (fun m i ->
                            FeatureStore.write s digests[i] (ReadOnlySpan(computed, m * dim, dim))
                            Array.blit computed (m * dim) all (row[i] * dim) dim)

                    for i in good do
                        match cached[i] with
                        | Some v -> Array.blit v 0 all (row[i] * dim) dim
                        | None -> ()

                    Torch.FromArray(all, int64 good.Length, int64 dim).To(device)

            let outputs = network.Head.ForwardHead(features).Codes.Cpu().ToFloatArray()

            (PackedCodes.FromSigns(ReadOnlySpan outputs, good.Length, bits)).Words

    let chunk =
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

    chunk, good.Length - misses.Length

/// Decodes and encodes `paths` (ids `firstId`, `firstId + 1`, …) as one batch, without a feature cache.
let encodeBatch (model: LoadedModel) (workers: int) (firstId: int) (paths: string[]) : Chunk =
    fst (encodeBatchWith model None workers firstId paths)

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
        /// The feature cache's root folder, used when the model's backbone is frozen (feature mode); None: off.
        FeatureCache: string option
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
        /// Images whose backbone features this invocation read from the feature cache (neither decoded nor run
        /// through the backbone).
        FromCache: int
        /// The backbone's folder in the feature cache; None when no cache was used (off, or an end-to-end model).
        FeatureCache: string option
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
    let mutable fromCache = 0

    let store =
        options.FeatureCache
        |> Option.bind (fun root -> FeatureStore.openFor root model)

    for c in 0 .. chunks - 1 do
        let file = chunkFile c

        if File.Exists file then
            reused <- reused + 1
        else
            let first = c * options.Batch
            let n = min options.Batch (images.Count - first)
            let paths = Array.init n (fun i -> images.Paths[first + i])
            let chunk, hits = encodeBatchWith model store options.Workers first paths
            writeChunk file chunk
            fresh <- fresh + n
            fromCache <- fromCache + hits

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
        FromCache = fromCache
        FeatureCache = store |> Option.map (fun s -> s.Dir)
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
