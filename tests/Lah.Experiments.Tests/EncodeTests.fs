/// `lah encode`, `eval` and `query --image` against a tiny real run: the saved model encodes image files into the
/// codes the run itself evaluated, bad files are skipped and listed, a resumed encode writes the same bytes.
module Lah.Experiments.Tests.EncodeTests

open System
open System.IO
open Expecto
open SixLabors.ImageSharp
open SixLabors.ImageSharp.PixelFormats
open Lah.Data
open Lah.Retrieval
open Lah.Retrieval.Metrics
open Lah.Experiments
open Lah.Experiments.Results
open Lah.Experiments.Runner
open Lah.Experiments.Tests.RunnerTests

/// The embedded default shrunk to seconds: 300 scenes, one pre-training epoch, two head epochs.
let tinyExperiment =
    let e =
        Defaults.experiment
        |> Defaults.withName "tiny-encode"
        |> Defaults.withQuickBits 32

    { e with
        Data =
            { e.Data with
                Pool = 300
                Train = 240
                Query = 60
            }
        Backbone =
            { e.Backbone with
                Weights =
                    match e.Backbone.Weights with
                    | Pretrained p -> Pretrained { p with Epochs = 1 }
                    | w -> w
            }
        Training = { e.Training with Epochs = 2 }
    }

/// The same data trained end to end from random initialisation for one epoch.
let tinyEndToEnd =
    { tinyExperiment with
        Name = "tiny-encode-e2e"
        Backbone =
            { tinyExperiment.Backbone with
                Weights = RandomInit
            }
        Training =
            { tinyExperiment.Training with
                Mode = EndToEnd
                Optimizer = Sgd 0.9
                LearningRate = 0.01
                Schedule = Constant
                Epochs = 1
            }
    }

type TinyRun =
    {
        Dir: string
        Outcome: Outcome
        Model: string
        Data: EngineData.LoadedData
    }

/// One run per experiment shared by the tests below (its folder is removed when the test process exits).
let private tinyRun (experiment: Experiment) =
    lazy
        (let dir =
            Path.Combine(Path.GetTempPath(), "lah-encode-" + Guid.NewGuid().ToString "N")

         AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
             try
                 Directory.Delete(dir, true)
             with _ ->
                 ())

         let options =
             {
                 Force = false
                 Budget =
                     {
                         Threads = 2
                         Device = "cpu"
                         Parallel = None
                     }
             }

         let o = runOne (Store dir) options silent Engine.execute experiment

         match o.Record.Status with
         | Failed reason -> failwith $"the tiny run failed: {reason}"
         | Finished -> ()

         {
             Dir = dir
             Outcome = o
             Model = Path.Combine(dir, "runs", o.Hash, ModelFile.fileName)
             Data = EngineData.load experiment
         })

let private tiny = tinyRun tinyExperiment
let private tinyE2e = tinyRun tinyEndToEnd

/// Feature mode on a frozen backbone from a weights file (the feature-mode run's pre-trained small CNN, saved).
let private tinyWeightsFile =
    lazy
        (let t = tiny.Force()
         let file = Path.Combine(t.Dir, "smallcnn.safetensors")

         do
             use m = ModelFile.load t.Model Lah.Torch.Device.CPU

             Lah.Torch.Serialization.TensorSafeTensors.Write(
                 file,
                 m.Network.Backbone.StateDict()
                 |> Seq.map (fun kv -> Collections.Generic.KeyValuePair(kv.Key, kv.Value))
             )

         (tinyRun
             { tinyExperiment with
                 Name = "tiny-encode-weights-file"
                 Backbone =
                     { tinyExperiment.Backbone with
                         Weights = WeightsFile
                         WeightsFile = file
                     }
             })
             .Force())

let private savePng (image: RgbImage) (path: string) =
    Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
    use img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height)
    img.SaveAsPng path

/// The scenes at `rows` as PNG files under `dir`, and a LAH CSV list of them with their labels.
let private writeScenes (data: EngineData.LoadedData) (rows: int[]) (dir: string) (name: string) =
    let names = data.Dataset.LabelNames

    let lines =
        [
            "name," + String.Join(",", names)
            for i in rows do
                let item = data.Dataset[i]
                let rel = $"{name}/{i:D5}.png"
                savePng (item.Image.Load()) (Path.Combine(dir, rel))

                rel
                + ","
                // The LAH CSV's values: 1 positive, 0 difficult (a positive to the loader too), -1 absent.
                + String.Join(
                    ",",
                    Array.map2
                        (fun p d ->
                            if p then "1"
                            elif d then "0"
                            else "-1")
                        item.Labels.Positive
                        item.Labels.Difficult
                )
        ]

    let csv = Path.Combine(dir, $"{name}.csv")
    File.WriteAllLines(csv, lines)
    csv

let private options batch : Encode.Options =
    {
        Batch = batch
        Resume = false
        Workers = 2
        FeatureCache = None
        AfterChunk = fun _ _ _ -> true
    }

let private loadModel (t: TinyRun) =
    ModelFile.load (ModelFile.resolve t.Dir t.Outcome.Hash) Lah.Torch.Device.CPU

let private randomIndex (rng: Random) (path: string) (n: int) (bits: int) (labels: int) =
    let signs = Array.init (n * bits) (fun _ -> if rng.Next 2 = 0 then -1.0f else 1.0f)
    let codes = PackedCodes.FromSigns(ReadOnlySpan signs, n, bits, Array.init n int64)

    let multiHot =
        Array.init (n * labels) (fun k ->
            if k % labels = 0 || rng.NextDouble() < 0.2 then
                1.0f
            else
                0.0f)

    IndexFile.Write(path, codes, IndexLabels([||], ReadOnlySpan multiHot, n))
    codes, MultiHot.FromFloats(ReadOnlySpan multiHot, n)

/// Another head on the same backbone: every head parameter shifted by seeded noise of half its largest magnitude.
let private perturbHead (model: ModelFile.LoadedModel) =
    let rng = Random 13
    use _ = Lah.Torch.Torch.NoGrad()

    for p in (model.Network.Head :?> Lah.Torch.NN.Module).Parameters() do
        let v = p.ToFloatArray()
        let scale = 0.5f * (v |> Array.fold (fun m x -> max m (abs x)) 1e-3f)

        let shifted =
            v |> Array.map (fun x -> x + scale * float32 (rng.NextDouble() * 2.0 - 1.0))

        use t = Lah.Torch.Torch.FromArray(shifted, p.Shape)
        p.Copy_(t) |> ignore

let private cached (root: string) batch =
    { options batch with
        FeatureCache = Some root
    }

/// Entries (one per image) in a feature cache's folder, 0 when there is none.
let private entries (root: string) =
    if Directory.Exists root then
        Directory.GetFiles(root, "*.f32", SearchOption.AllDirectories).Length
    else
        0

/// The message of the `'e` that `f` throws (a test failure when it throws nothing).
let private messageOf<'e when 'e :> exn> (f: unit -> unit) =
    try
        f ()
        failtest $"expected {typeof<'e>.Name}, nothing was thrown"
    with :? 'e as e ->
        e.Message

[<Tests>]
let tests =
    testSequenced
    <| testList
        "encode"
        [
            test
                "a feature-mode run on a weights file names it in its model instead of copying it; a changed file is refused" {
                let t = tinyWeightsFile.Force()
                use m = Lah.Torch.Serialization.TrainedModelFile.Load t.Model
                Expect.isFalse (m.Tensors.Keys |> Seq.exists (fun k -> k.StartsWith "backbone.")) "no backbone tensors"
                let weights = m.Metadata[ModelFile.Keys.WeightsFile]
                Expect.isTrue (File.Exists weights) "the weights file is named"
                use dir = new Fixtures.TempDir()
                let copy = Path.Combine(dir.Path, "model.safetensors")
                File.Copy(t.Model, copy)
                let saved = File.ReadAllBytes weights

                try
                    File.AppendAllText(weights, " ")

                    let e =
                        messageOf<InvalidDataException>(fun () -> ModelFile.load copy Lah.Torch.Device.CPU |> ignore)

                    Expect.stringContains e weights "names the weights file"
                    Expect.stringContains e "changed" "says why"
                finally
                    File.WriteAllBytes(weights, saved)
            }

            test "a run saves its network with its experiment record, which hashes to the run" {
                let t = tiny.Force()
                Expect.isTrue (File.Exists t.Model) "model.safetensors in the run's folder"
                let yaml = Lah.Torch.Serialization.TrainedModelFile.ReadExperiment t.Model
                Expect.equal (hashOf (ExperimentFile.decode "model" yaml)) t.Outcome.Hash "record in the metadata"
                Expect.isLessThan (FileInfo(t.Model).Length) (4L <<< 20) "a small CNN's model stays small"
                use m = loadModel t
                Expect.equal m.Bits 32 "bits"
                Expect.equal (List.ofArray m.LabelNames) (List.ofSeq t.Data.Dataset.LabelNames) "label names"
            }

            for mode, run in
                [
                    "feature mode", tiny
                    "end to end", tinyE2e
                    "frozen weights file", tinyWeightsFile
                ] do
                test
                    $"encode of the run's images as PNG files gives the codes and metrics of the run's own evaluation ({mode})" {
                    let t = run.Force()
                    use dir = new Fixtures.TempDir()
                    let split = t.Data.Split
                    let qList = writeScenes t.Data split.Query dir.Path "query"
                    let dbList = writeScenes t.Data split.Database dir.Path "db"
                    use model = loadModel t
                    let q = Path.Combine(dir.Path, "q.lahidx")
                    let db = Path.Combine(dir.Path, "db.lahidx")
                    let qOut = Encode.run model (ImageList.Read qList) q (options 32)
                    Encode.run model (ImageList.Read dbList) db (options 64) |> ignore
                    Expect.equal qOut.Encoded split.Query.Length "every query encoded"
                    Expect.isEmpty qOut.Skipped "nothing skipped"

                    // The in-memory scenes through the network as the end-to-end evaluation encodes them.
                    let struct (direct, _) =
                        Lah.Training.Inference.ImageEncoder.Encode(
                            model.Network,
                            t.Data.Dataset,
                            split.Query,
                            ImageTransform.Warp model.InputSize,
                            64,
                            Lah.Torch.Device.CPU,
                            0
                        )

                    Expect.equal (IndexFile.Read q).Words direct.Codes.Words "codes from files = codes in memory"

                    // Ball membership (P, R) and the official protocol use the codes alone: equal to the run's numbers
                    // only if every code is the one the run evaluated.
                    let final = t.Outcome.Record.Final
                    let dch = Tools.evaluateIndexes DchProtocol 2 db q 2

                    for k in [ "dch.precision"; "dch.recall" ] do
                        Expect.equal dch[k] final[k] k

                    let official = Tools.evaluateIndexes LahOfficialProtocol 2 db q 2

                    for k in
                        [
                            "lah-official.map1"
                            "lah-official.map2"
                            "lah-official.precision"
                            "lah-official.recall"
                        ] do
                        Expect.equal official[k] final[k] k

                    // query --image: a query image finds itself at distance 0.
                    let image = Path.Combine(dir.Path, "query", $"{split.Query[7]:D5}.png")
                    let code = Encode.imageCode model image q 32
                    let hits = Tools.search (IndexFile.Read q) code (Some 10) None
                    let self = hits[0] |> Array.tryFind (fun n -> n.Id = 7L)
                    Expect.equal (self |> Option.map (fun n -> n.Distance)) (Some 0) "the image itself at distance 0"
                    Expect.equal (Encode.readPaths q |> Map.find 7L) image "the sidecar names the image"
                    let labels = Tools.readLabels "--index" q
                    let expected = t.Data.Dataset[split.Query[7]].Labels.ToMultiHot()

                    let names =
                        [
                            for j in 0 .. expected.Length - 1 do
                                if expected[j] > 0.0f then
                                    t.Data.Dataset.LabelNames[j]
                        ]

                    Expect.equal (Tools.labelText labels 7) (String.Join(",", names)) "labels printed by name"

                    let wrong =
                        messageOf<ArgumentException>(fun () -> Encode.imageCode model image q 64 |> ignore)

                    Expect.stringContains wrong "--model" "names the argument"
                    Expect.stringContains wrong q "names the index file"
                }

            test "a folder of mixed formats with a corrupt file and a non-image: five encoded, two listed and skipped" {
                let t = tiny.Force()
                use dir = new Fixtures.TempDir()
                let scene i = t.Data.Dataset[i].Image.Load()

                let save (name: string) (enc: Image<Rgb24> -> string -> unit) (img: RgbImage) =
                    use x = Image.LoadPixelData<Rgb24>(img.Pixels, img.Width, img.Height)
                    enc x (Path.Combine(dir.Path, name))

                save "a.png" (fun x p -> x.SaveAsPng p) (scene 0)
                save "b.bmp" (fun x p -> x.SaveAsBmp p) (scene 0)
                save "c.gif" (fun x p -> x.SaveAsGif p) (scene 1)

                save
                    "d.webp"
                    (fun x p ->
                        x.SaveAsWebp(
                            p,
                            Formats.Webp.WebpEncoder(FileFormat = Formats.Webp.WebpFileFormatType.Lossless)
                        ))
                    (scene 2)

                File.WriteAllBytes(Path.Combine(dir.Path, "e.jpg"), JpegEncoder.EncodeRgb(scene 3))
                save "broken.png" (fun x p -> x.SaveAsPng p) (scene 4)
                let broken = Path.Combine(dir.Path, "broken.png")
                File.WriteAllBytes(broken, (File.ReadAllBytes broken)[..40])
                File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "not an image")
                use model = loadModel t
                let out = Path.Combine(dir.Path, "out", "mixed.lahidx")
                let outcome = Encode.run model (ImageList.Read dir.Path) out (options 3)
                Expect.equal outcome.Encoded 5 "five images encoded"

                Expect.equal
                    (outcome.Skipped |> List.map (fun s -> Path.GetFileName s.Path))
                    [ "broken.png"; "notes.txt" ]
                    "the corrupt file and the non-image are listed"

                for s in outcome.Skipped do
                    Expect.stringContains s.Reason s.Path "the reason names the file"

                let index = IndexFile.Read out
                // Sorted: a.png b.bmp broken.png c.gif d.webp e.jpg notes.txt; ids are positions in that list.
                Expect.equal index.Ids [| 0L; 1L; 3L; 4L; 5L |] "ids of the encoded images"

                Expect.equal
                    ((index.Code 0).ToArray())
                    ((index.Code 1).ToArray())
                    "the same pixels as PNG and BMP, the same code"

                Expect.isNull (IndexFile.ReadLabels out) "a folder has no labels"
                Expect.equal (Encode.readPaths out |> Map.find 5L) (Path.Combine(dir.Path, "e.jpg")) "sidecar"
                Expect.isFalse (Directory.Exists(Encode.partialDir out)) "chunks removed once the index is written"
            }

            test
                "--resume after an interruption writes the same bytes as an uninterrupted encode; another list is refused" {
                let t = tiny.Force()
                use dir = new Fixtures.TempDir()
                let list = ImageList.Read(writeScenes t.Data t.Data.Split.Query dir.Path "q")
                use model = loadModel t
                let whole = Path.Combine(dir.Path, "whole.lahidx")
                Encode.run model list whole (options 16) |> ignore
                let resumed = Path.Combine(dir.Path, "resumed.lahidx")

                let killed =
                    { options 16 with
                        AfterChunk = fun chunk _ _ -> chunk < 2
                    }

                Expect.throwsC (fun () -> Encode.run model list resumed killed |> ignore) (function
                    | Encode.Interrupted 2 -> ()
                    | e -> failtest $"expected an interruption after two chunks, got {e}")

                Expect.isFalse (File.Exists resumed) "no index yet"
                let partial = Encode.partialDir resumed
                Expect.equal (Directory.GetFiles(partial, "chunk-*").Length) 2 "two chunks persisted"

                let other =
                    ImageList(list.Paths |> Seq.rev |> Array.ofSeq, list.LabelNames, list.Labels)

                let refused =
                    messageOf<ArgumentException>(fun () ->
                        Encode.run model other resumed { options 16 with Resume = true } |> ignore)

                Expect.stringContains refused "another image list" "says what changed"
                Expect.stringContains refused partial "names the folder"

                let outcome = Encode.run model list resumed { options 16 with Resume = true }
                Expect.equal outcome.Reused 2 "the two finished chunks are reused"
                Expect.equal (File.ReadAllBytes resumed) (File.ReadAllBytes whole) "byte-identical index"

                Expect.equal
                    (File.ReadAllText(Encode.pathsFile resumed))
                    (File.ReadAllText(Encode.pathsFile whole))
                    "sidecar"
            }

            test
                "feature cache: a second encode with another head on the same frozen backbone reads every image from the cache and writes the codes of an uncached encode" {
                let t = tiny.Force()
                // The same backbone tensors, referenced as a weights file instead of held in the model file.
                let w = tinyWeightsFile.Force()
                use dir = new Fixtures.TempDir()
                let list = ImageList.Read(writeScenes t.Data t.Data.Split.Query dir.Path "q")
                let root = Path.Combine(dir.Path, "cache")
                use first = loadModel t
                Expect.isTrue first.FrozenBackbone "a feature-mode model's backbone is frozen"
                let a = Path.Combine(dir.Path, "a.lahidx")
                let one = Encode.run first list a (cached root 16)
                Expect.equal one.FromCache 0 "an empty cache: nothing read"
                Expect.equal (entries root) list.Count "one entry per image written"
                use second = loadModel w
                perturbHead second
                let b = Path.Combine(dir.Path, "b.lahidx")
                let two = Encode.run second list b (cached root 16)
                Expect.equal two.FromCache list.Count "every image from the cache"
                Expect.equal two.FeatureCache one.FeatureCache "the same backbone, the same folder"
                Expect.equal (entries root) list.Count "nothing new written"
                let plain = Path.Combine(dir.Path, "b-uncached.lahidx")
                let three = Encode.run second list plain (options 16)
                Expect.equal three.FromCache 0 "no cache, nothing read"
                Expect.equal three.FeatureCache None "no cache used"
                Expect.equal (File.ReadAllBytes b) (File.ReadAllBytes plain) "byte-identical to the uncached encode"

                Expect.notEqual
                    (IndexFile.Read b).Words
                    (IndexFile.Read a).Words
                    "the second head's codes, not the first's"
            }

            test "feature cache: a changed image file gets a new entry; the others are read" {
                let t = tiny.Force()
                use dir = new Fixtures.TempDir()
                let rows = Array.take 12 t.Data.Split.Query
                let list = ImageList.Read(writeScenes t.Data rows dir.Path "q")
                let root = Path.Combine(dir.Path, "cache")
                use model = loadModel t

                Encode.run model list (Path.Combine(dir.Path, "a.lahidx")) (cached root 8)
                |> ignore

                Expect.equal (entries root) 12 "twelve entries"
                // Image 5 now holds another scene (same name, same folder).
                savePng (t.Data.Dataset[t.Data.Split.Database[0]].Image.Load()) list.Paths[5]
                let b = Path.Combine(dir.Path, "b.lahidx")
                let again = Encode.run model list b (cached root 8)
                Expect.equal again.FromCache 11 "the eleven unchanged images from the cache"
                Expect.equal (entries root) 13 "the changed image's features stored under its new content"
                let plain = Path.Combine(dir.Path, "plain.lahidx")
                Encode.run model list plain (options 8) |> ignore

                Expect.equal
                    (File.ReadAllBytes b)
                    (File.ReadAllBytes plain)
                    "the changed image's code is its new content's"
            }

            test "feature cache: an end-to-end model bypasses it" {
                let t = tinyE2e.Force()
                use dir = new Fixtures.TempDir()

                let list =
                    ImageList.Read(writeScenes t.Data (Array.take 12 t.Data.Split.Query) dir.Path "q")

                let root = Path.Combine(dir.Path, "cache")
                use model = loadModel t
                Expect.isFalse model.FrozenBackbone "an end-to-end model's backbone was trained"

                for name in [ "a"; "b" ] do
                    let o =
                        Encode.run model list (Path.Combine(dir.Path, name + ".lahidx")) (cached root 8)

                    Expect.equal o.FromCache 0 "nothing read"
                    Expect.equal o.FeatureCache None "no cache used"

                Expect.equal (entries root) 0 "nothing written"
            }

            test
                "feature cache on the command line: RESULTS/cache/encode-features by default, --no-feature-cache bypasses it" {
                let t = tiny.Force()
                use dir = new Fixtures.TempDir()
                let list = writeScenes t.Data (Array.take 12 t.Data.Split.Query) dir.Path "q"
                let results = Path.Combine(dir.Path, "results")
                let root = Path.Combine(results, "cache", "encode-features")

                let lah (extra: string list) =
                    let out = Console.Out
                    use captured = new StringWriter()
                    Console.SetOut captured

                    let rc =
                        try
                            Program.main (
                                Array.ofList (
                                    [
                                        "encode"
                                        "--model"
                                        t.Model
                                        "--images"
                                        list
                                        "--out"
                                        Path.Combine(dir.Path, "q.lahidx")
                                        "--results"
                                        results
                                    ]
                                    @ extra
                                )
                            )
                        finally
                            Console.SetOut out

                    rc, captured.ToString()

                let rc, text = lah [ "--no-feature-cache" ]
                Expect.equal rc 0 "encode without the cache"
                Expect.stringContains text "feature cache: off" "says so"
                Expect.equal (entries results) 0 "nothing written"
                let rc, text = lah []
                Expect.equal rc 0 "encode with the default cache"
                Expect.stringContains text "0 images' backbone features from the cache" "an empty cache"
                Expect.equal (entries root) 12 "the default folder filled"
                let rc, text = lah []
                Expect.equal rc 0 "encode again"
                Expect.stringContains text "12 images' backbone features from the cache" "every image from the cache"
                let rc, text = lah [ "--no-feature-cache" ]
                Expect.equal rc 0 "encode without the cache again"
                Expect.isFalse (text.Contains "from the cache") "a warm cache is not read"
                let other = Path.Combine(dir.Path, "elsewhere")
                let rc, _ = lah [ "--feature-cache"; other ]
                Expect.equal rc 0 "--feature-cache DIR"
                Expect.equal (entries other) 12 "written where asked"
                let rc, _ = lah [ "--feature-cache"; other; "--no-feature-cache" ]
                Expect.equal rc 2 "both: an argument error"
            }

            test "eval on a pair of index files equals Lah.Retrieval's metrics computed directly" {
                use dir = new Fixtures.TempDir()
                let rng = Random 5
                // 8 bits: balls of radius 2 hold ~14% of the codes, so no metric is NaN for want of neighbours.
                let db, dbLabels = randomIndex rng (Path.Combine(dir.Path, "db.lahidx")) 300 8 6
                let q, qLabels = randomIndex rng (Path.Combine(dir.Path, "q.lahidx")) 40 8 6
                let dbFile = Path.Combine(dir.Path, "db.lahidx")
                let qFile = Path.Combine(dir.Path, "q.lahidx")
                let d = RetrievalMetrics.Dch(q, null, qLabels, db, null, dbLabels, 3, 1)
                let dch = Tools.evaluateIndexes DchProtocol 3 dbFile qFile 2
                Expect.isGreaterThan d.Map 0.0 "a measured map"
                Expect.equal dch["dch.map"] d.Map "dch map"
                Expect.equal dch["dch.precision"] d.Precision "dch precision"
                Expect.equal dch["dch.recall"] d.Recall "dch recall"
                let top = Tools.evaluateIndexes (TopK 25) 2 dbFile qFile 2

                Expect.equal
                    top["top25.map"]
                    (RetrievalMetrics.TopKMap(q, qLabels, db, dbLabels, 25, 1)).Map
                    "top-k map"

                let official = Tools.evaluateIndexes LahOfficialProtocol 2 dbFile qFile 2

                let a =
                    RetrievalMetrics.LahOfficialAudit(q, qLabels, q.Count, radius = 2, threads = 1)

                Expect.isFalse (Double.IsNaN a.Full.Map1) "a measured map1"
                Expect.equal official["lah-official.map1"] a.Full.Map1 "official map1"
                Expect.equal official["lah-official.map2"] a.Full.Map2 "official map2"
            }

            test "eval names a FAISS file (no labels) and a model that is missing" {
                use dir = new Fixtures.TempDir()
                let faiss = Path.Combine(dir.Path, "codes.faiss")
                let codes, _ = randomIndex (Random 1) (Path.Combine(dir.Path, "x.lahidx")) 5 16 2
                FaissBinaryIndexFile.Write(faiss, codes)

                let e =
                    messageOf<ArgumentException>(fun () -> Tools.readLabels "--queries" faiss |> ignore)

                Expect.stringContains e faiss "names the file"
                Expect.stringContains e "FAISS" "says why"
                Expect.stringContains e "--queries" "names the argument"
                let missing = Path.Combine(dir.Path, "nope")

                let m =
                    messageOf<IOException>(fun () -> ModelFile.resolve dir.Path missing |> ignore)

                Expect.stringContains m "--model" "names the argument"
                Expect.stringContains m missing "names the path"
                let run = Path.Combine(dir.Path, "runs", "0123456789abcdef")
                Directory.CreateDirectory run |> ignore

                let m =
                    messageOf<IOException>(fun () -> ModelFile.resolve dir.Path "0123456789abcdef" |> ignore)

                Expect.stringContains m "model.safetensors" "a run folder without a model says so"
            }

            test
                "the command line: query --image as JSON with labels and paths, eval's exit codes, encode of only bad files" {
                let t = tiny.Force()
                use dir = new Fixtures.TempDir()
                let list = writeScenes t.Data (Array.take 12 t.Data.Split.Query) dir.Path "q"
                let index = Path.Combine(dir.Path, "q.lahidx")
                let lah (args: string list) = Program.main (Array.ofList args)
                // No --threads: the CLI would resize libtorch's pool for the whole test process.
                let common = [ "--model"; t.Outcome.Hash; "--results"; t.Dir ]

                Expect.equal (lah ([ "encode"; "--images"; list; "--out"; index ] @ common)) 0 "encode"

                let image = Path.Combine(dir.Path, "q", $"{t.Data.Split.Query[3]:D5}.png")
                let out = Console.Out
                use captured = new StringWriter()
                Console.SetOut captured

                let rc =
                    try
                        lah ([ "query"; "--index"; index; "--image"; image; "--k"; "12"; "--json" ] @ common)
                    finally
                        Console.SetOut out

                Expect.equal rc 0 "query exits 0"
                let text = captured.ToString()
                Expect.stringContains text $"\"path\": \"{image}\"" "the image's own path among the neighbours"
                Expect.stringContains text "\"labels\":" "labels printed"

                Expect.equal
                    (lah
                        [
                            "eval"
                            "--index"
                            index
                            "--queries"
                            index
                            "--protocol"
                            "topk"
                            "--topk"
                            "5"
                        ])
                    0
                    "eval"

                let faiss = Path.Combine(dir.Path, "q.faiss")
                FaissBinaryIndexFile.Write(faiss, IndexFile.Read index)
                Expect.equal (lah [ "eval"; "--index"; faiss; "--queries"; index ]) 2 "eval on a FAISS file is an error"

                let bad = Directory.CreateDirectory(Path.Combine(dir.Path, "bad")).FullName
                File.WriteAllText(Path.Combine(bad, "a.txt"), "text")

                Expect.equal
                    (lah (
                        [ "encode"; "--images"; bad; "--out"; Path.Combine(dir.Path, "bad.lahidx") ]
                        @ common
                    ))
                    1
                    "nothing encodable: exit 1"
            }
        ]
