/// Records over a user's own labelled images (`data.dataset.custom`): the record, its checks and key, the engine's
/// runs on HashNet lists, and `lah encode` + `lah eval` of the lists reproducing a run's numbers.
module Lah.Experiments.Tests.CustomDataTests

open System
open System.IO
open Expecto
open Lah.Data
open Lah.Retrieval
open Lah.Experiments
open Lah.Experiments.Results
open Lah.Experiments.Runner
open Lah.Experiments.Tests.RunnerTests

let private engineOptions =
    {
        Force = false
        Budget =
            {
                Threads = 2
                Device = "cpu"
                Parallel = None
            }
    }

let private repo () =
    match DataPaths.RepositoryRoot with
    | null -> failtest "the repository was not found"
    | r -> r

/// The message of the `'e` that `f` throws (a test failure when it throws nothing).
let private messageOf<'e when 'e :> exn> (f: unit -> unit) =
    try
        f ()
        failtest $"expected {typeof<'e>.Name}, nothing was thrown"
    with :? 'e as e ->
        e.Message

let private lists (dir: string) =
    {
        Train = Path.Combine(dir, "train.txt")
        Database = Path.Combine(dir, "database.txt")
        Query = Path.Combine(dir, "test.txt")
    }

/// A custom record over `c` from the photo profile, shrunk to seconds.
let private record (c: CustomData) =
    let e = Catalog.Custom.small c 2 4

    { e with
        Name = "custom"
        Bits = 16
        Backbone =
            { e.Backbone with
                InputSize = 32
                Weights =
                    match e.Backbone.Weights with
                    | Pretrained p -> Pretrained { p with Epochs = 1 }
                    | w -> w
            }
        Training = { e.Training with Epochs = 2 }
    }

/// Six one-colour JPEGs, labels.txt (cat, dog, zebra crossing), HashNet lists (four training = database images, two
/// queries) and a word-vector file with vectors for `words`.
let private writeTiny (dir: string) (words: string list) =
    let images = Path.Combine(dir, "images")
    Directory.CreateDirectory images |> ignore

    for i in 0..5 do
        let img = RgbImage(8, 8)
        Array.fill img.Pixels 0 img.Pixels.Length (byte (40 * i))
        File.WriteAllBytes(Path.Combine(images, $"im{i}.jpg"), JpegEncoder.EncodeRgb img)

    File.WriteAllLines(Path.Combine(dir, "labels.txt"), [ "cat"; "dog"; "zebra crossing" ])
    let rows = [ "im0.jpg 1 0 0"; "im1.jpg 0 1 0"; "im2.jpg 1 1 0"; "im3.jpg 0 0 1" ]
    File.WriteAllLines(Path.Combine(dir, "train.txt"), rows)
    File.WriteAllLines(Path.Combine(dir, "database.txt"), rows)
    File.WriteAllLines(Path.Combine(dir, "test.txt"), [ "im4.jpg 1 0 0"; "im5.jpg 0 1 1" ])

    File.WriteAllLines(
        Path.Combine(dir, "vectors.txt"),
        words
        |> List.mapi (fun i w -> $"""{w} {String.Join(" ", List.init 4 (fun k -> float (i + k) / 10.0))}""")
    )

    { Defaults.customData with
        Root = images
        Labels = Path.Combine(dir, "labels.txt")
        Lists = lists dir
        Vectors = Path.Combine(dir, "vectors.txt")
    }

let private allWords = [ "cat"; "dog"; "zebra"; "crossing" ]

/// The embedded scenes of a small VOC split written as JPEG files with HashNet lists of their split, labels.txt and
/// VOC's shipped GloVe vectors: a custom dataset that needs no external fixture.
let private writeScenes (dir: string) =
    let scenes =
        EngineData.load
            { Defaults.experiment with
                Data =
                    { Defaults.experiment.Data with
                        Pool = 300
                        Train = 240
                        Query = 60
                    }
            }

    let images = Path.Combine(dir, "scenes")
    Directory.CreateDirectory images |> ignore
    let ds = scenes.Dataset

    let write (file: string) (items: int[]) =
        File.WriteAllLines(
            Path.Combine(dir, file),
            [
                for i in items do
                    let name = $"{i:D4}.jpg"
                    let path = Path.Combine(images, name)

                    if not (File.Exists path) then
                        File.WriteAllBytes(path, JpegEncoder.EncodeRgb(ds[i].Image.Load()))

                    name
                    + " "
                    + String.Join(" ", ds[i].Labels.ToMultiHot() |> Array.map (fun v -> if v > 0.0f then "1" else "0"))
            ]
        )

    write "train.txt" scenes.Split.Train
    write "database.txt" scenes.Split.Database
    write "test.txt" scenes.Split.Query
    File.WriteAllLines(Path.Combine(dir, "labels.txt"), ds.LabelNames)

    { Defaults.customData with
        Name = "voc-scenes"
        Root = images
        Labels = Path.Combine(dir, "labels.txt")
        Lists = lists dir
        Vectors = Path.Combine(EngineData.labelDir Voc2007, "wordvec_glove.txt")
    }

let private encodeOptions: Encode.Options =
    {
        Batch = 32
        Resume = false
        Workers = 2
        FeatureCache = None
        AfterChunk = fun _ _ _ -> true
    }

/// A finished run's model encodes the custom lists as `lah encode --images LIST --root --labels --strip-prefix` does;
/// `lah eval` of the two index files gives the run's numbers. P and R count the database items in each query's
/// Hamming ball, which the codes alone decide: equal. The official protocol ranks by the codes too: equal. DCH's MAP
/// ranks inside a ball by the run's continuous outputs, an index file by K − 2·distance then database position, so
/// the two MAPs are equal only where each ball's order by the outputs' inner product is that order (e.g. outputs
/// saturated at ±1); the index files keep no outputs to rank by.
let private reproducesWithEncodeAndEval (store: Store) (c: CustomData) (o: Outcome) =
    let tag = o.Experiment.Name

    match o.Record.Status with
    | Failed reason -> failtest $"{tag} failed: {reason}"
    | Finished -> ()

    Expect.isTrue (File.Exists(store.RunFile o.Hash)) $"{tag}: run record"
    let model = Path.Combine(store.RunDir o.Hash, ModelFile.fileName)
    Expect.isTrue (File.Exists model) $"{tag}: model file"
    let yaml = Lah.Torch.Serialization.TrainedModelFile.ReadExperiment model

    Expect.equal
        (hashOf (ExperimentFile.decode "model" (string yaml)))
        o.Hash
        $"{tag}: the model's record hashes to the run"

    use m = ModelFile.load model Lah.Torch.Device.CPU
    let strip = if c.StripPrefix = "" then null else c.StripPrefix
    let out = Path.Combine(store.Root, $"{o.Hash}-index")

    let encode (list: string) (name: string) =
        let file = Path.Combine(out, name)

        let r =
            Encode.run m (ImageList.Read(list, c.Root, c.Labels, strip)) file encodeOptions

        Expect.isEmpty r.Skipped $"{tag}: every image of {list} encoded"
        file

    let q = encode c.Lists.Query "query.lahidx"
    let db = encode c.Lists.Database "database.lahidx"
    let final = o.Record.Final
    let radius = o.Experiment.Evaluation.Radius
    let dch = Tools.evaluateIndexes DchProtocol radius db q 2

    for k in [ "dch.precision"; "dch.recall" ] do
        Expect.equal dch[k] final[k] $"{tag}: {k}"

    Expect.isTrue (dch["dch.map"] >= 0.0 && dch["dch.map"] <= 1.0) $"{tag}: MAP from the codes"
    let official = Tools.evaluateIndexes LahOfficialProtocol radius db q 2

    for k in
        [
            "lah-official.map1"
            "lah-official.map2"
            "lah-official.precision"
            "lah-official.recall"
        ] do
        Expect.equal official[k] final[k] $"{tag}: {k}"

    // lah query --image: a query photo finds itself in the query index at distance 0.
    let photo = (Encode.readPaths q)[3L]

    let hits =
        Tools.search (IndexFile.Read q) (Encode.imageCode m photo q o.Experiment.Bits) (Some 3) None

    Expect.exists hits[0] (fun n -> n.Id = 3L && n.Distance = 0) $"{tag}: the query image finds itself"

/// Records progress lines (a run's warnings among them).
type private Lines() =
    let lines = ResizeArray<string>()
    member _.All = List.ofSeq lines

    interface Progress with
        member _.Status text = lines.Add text

[<Tests>]
let tests =
    testSequenced
    <| testList
        "custom data"
        [
            test
                "a custom record reads from YAML, round-trips and refuses embedded source, missing fields and both lists and pool" {
                let yaml =
                    """
name: mine
data:
  source: official
  dataset:
    custom:
      root: /photos
      labels: /photos/labels.txt
      lists: { train: /photos/train.txt, database: /photos/database.txt, query: /photos/test.txt }
      strip-prefix: /home/someone/
head: dch-head
"""

                let e = ExperimentFile.parse "mine.yaml" yaml

                match e.Data.Dataset with
                | Custom c ->
                    Expect.equal c.Lists.Database "/photos/database.txt" "lists"
                    Expect.equal c.StripPrefix "/home/someone/" "strip prefix"
                    Expect.equal c.Vectors "" "no vectors"
                    Expect.isFalse c.AllowOverlap "overlap refused by default"
                | other -> failtest $"dataset {other}"

                Expect.equal (ExperimentFile.decode "back" (ExperimentFile.toYaml e)) e "round trip"

                let error (text: string) =
                    try
                        ExperimentFile.parse "bad.yaml" text |> ignore
                        failtest "expected an error"
                        ""
                    with Yaml.ExperimentFileError _ as x ->
                        x.Message

                Expect.stringContains
                    (error (yaml.Replace("  source: official\n", "")))
                    "data.source"
                    "embedded refused"

                Expect.stringContains
                    (error (yaml.Replace("database: /photos/database.txt, ", "")))
                    "data.dataset.custom.lists.database"
                    "a missing list"

                Expect.stringContains
                    (error (yaml.Replace("      strip-prefix", "      pool: /photos/all.txt\n      strip-prefix")))
                    "data.dataset.custom.pool"
                    "lists and pool"

                Expect.stringContains
                    (error (yaml.Replace("  source: official\n", "  source: official\n  split: lah-official-split\n")))
                    "data.split"
                    "split"
            }

            test
                "an embedding that needs vectors without data.dataset.custom.vectors is refused; one-hot and DCH run without" {
                use dir = new Fixtures.TempDir()

                let c =
                    { writeTiny dir.Path allWords with
                        Vectors = ""
                    }

                let e = record c
                let withEmbedding w = Defaults.withEmbedding w e

                for w in
                    [
                        Lah.Hashing.Config.WordEmbedding.Glove
                        Lah.Hashing.Config.WordEmbedding.FastText
                    ] do
                    Expect.exists
                        (ExperimentFile.errors (withEmbedding w))
                        (fun (path, _) -> path = "data.dataset.custom.vectors")
                        $"{w} names the field"

                for ok in [ withEmbedding Lah.Hashing.Config.WordEmbedding.OneHot; Defaults.asDch e ] do
                    Expect.isEmpty (ExperimentFile.errors ok) "valid without vectors"
                    let data = EngineData.load ok
                    let inputs = Engine.headInputs ok data 8
                    Expect.isNone inputs.WordVectors "no word vectors"
                    Expect.equal inputs.Labels 3 "three labels"

                let glove =
                    { withEmbedding Lah.Hashing.Config.WordEmbedding.Glove with
                        Data =
                            { e.Data with
                                Dataset =
                                    Custom
                                        { c with
                                            Vectors = Path.Combine(dir.Path, "vectors.txt")
                                        }
                            }
                    }

                let inputs = Engine.headInputs glove (EngineData.load glove) 8
                Expect.equal inputs.WordDim 4 "the file's 4-d vectors"
                // "zebra crossing" has no vector of its own: the average of its words'.
                let v = inputs.WordVectors.Value

                for k in 0..3 do
                    Expect.floatClose
                        Accuracy.high
                        (float v[8 + k])
                        ((float (2 + k) + float (3 + k)) / 20.0)
                        "averaged words"
            }

            test "a label without a vector stops the run before training, naming labels.txt and its line" {
                use dir = new Fixtures.TempDir()
                let c = writeTiny dir.Path [ "cat"; "dog" ]
                let e = record c

                let message =
                    messageOf<DataFormatException>(fun () ->
                        runOne (Store dir.Path) engineOptions silent Engine.execute e |> ignore)

                Expect.stringContains message $"{c.Labels}:3" "labels.txt, line 3"
                Expect.stringContains message "zebra crossing" "the label"
                Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, "runs"))) "nothing ran"
            }

            test
                "a query that is also a training image is refused naming both lines, unless allow-overlap; then a warning, printed by the run with the label in no training image" {
                use dir = new Fixtures.TempDir()
                let c = writeTiny dir.Path allWords
                File.WriteAllLines(c.Lists.Query, [ "im4.jpg 1 0 0"; "im1.jpg 0 1 0" ])
                // im3, the one zebra crossing, stays in the database but not in training.
                File.WriteAllLines(c.Lists.Train, File.ReadAllLines c.Lists.Train |> Array.take 3)
                let e = record c

                let message = messageOf<DataFormatException>(fun () -> EngineData.load e |> ignore)
                Expect.stringContains message $"{c.Lists.Query}:2" "the query's line"
                Expect.stringContains message $"{c.Lists.Train}:2" "the training list's line"

                Expect.throwsT<DataFormatException>
                    (fun () -> hashOf e |> ignore)
                    "no key for data that fails its checks"

                let allowed =
                    { e with
                        Data =
                            { e.Data with
                                Dataset = Custom { c with AllowOverlap = true }
                            }
                    }

                let data = EngineData.load allowed
                Expect.equal data.Split.Query.Length 2 "two queries"
                Expect.exists data.Warnings (fun w -> w.Contains "also training images") "the overlap is a warning"
                use store = new Fixtures.TempDir()
                let lines = Lines()

                let o =
                    runOne (Store store.Path) engineOptions lines Engine.execute (Defaults.asDch allowed)

                match o.Record.Status with
                | Finished -> ()
                | Failed reason -> failtest reason

                Expect.exists
                    lines.All
                    (fun l -> l.Contains "warning" && l.Contains "also training images")
                    "printed by the run"

                Expect.exists
                    lines.All
                    (fun l -> l.Contains $"warning: {c.Labels}:3: label 'zebra crossing' occurs in no training image")
                    "the label in no training image, at its line"
            }

            test
                "the key holds the dataset's fingerprint, not its paths: a moved folder keeps it, a changed label changes it" {
                use a = new Fixtures.TempDir()
                use b = new Fixtures.TempDir()
                let c = writeTiny a.Path allWords
                let e = record c
                let key = hashOf e

                for f in Directory.GetFiles(a.Path, "*", SearchOption.AllDirectories) do
                    let target = Path.Combine(b.Path, Path.GetRelativePath(a.Path, f))
                    Directory.CreateDirectory(Path.GetDirectoryName target |> string) |> ignore
                    File.Copy(f, target)

                let moved =
                    { e with
                        Data =
                            { e.Data with
                                Dataset =
                                    Custom
                                        { c with
                                            Root = Path.Combine(b.Path, "images")
                                            Labels = Path.Combine(b.Path, "labels.txt")
                                            Lists = lists b.Path
                                            Vectors = Path.Combine(b.Path, "vectors.txt")
                                        }
                            }
                    }

                Expect.equal (hashOf moved) key "moved: the same key"
                Expect.equal (Engine.backboneKey moved) (Engine.backboneKey e) "moved: the same backbone"
                Expect.notEqual key (hashOf { e with Seed = 7 }) "the seed is hashed"
                File.WriteAllLines(Path.Combine(b.Path, "test.txt"), [ "im4.jpg 1 0 0"; "im5.jpg 0 1 0" ])
                Expect.notEqual (hashOf moved) key "a changed label: another key"
                Expect.notEqual (Engine.backboneKey moved) (Engine.backboneKey e) "and another backbone"
                Expect.equal (hashOf e) key "the first folder's key stays"
            }

            test "a pool list is split DCH-style with data.query, data.train and the record's seed" {
                use dir = new Fixtures.TempDir()
                let c = writeTiny dir.Path allWords
                let pool = Path.Combine(dir.Path, "all.txt")

                File.WriteAllLines(
                    pool,
                    File.ReadAllLines c.Lists.Database
                    |> Array.append (File.ReadAllLines c.Lists.Query)
                )

                let e =
                    { record c with Seed = 5 }
                    |> fun e ->
                        { e with
                            Data =
                                { e.Data with
                                    Dataset =
                                        Custom
                                            { c with
                                                Lists = Defaults.customData.Lists
                                                Pool = pool
                                            }
                                    Query = 2
                                    Train = 3
                                }
                        }

                Expect.isEmpty (ExperimentFile.errors e) "valid"
                let data = EngineData.load e
                let dch = Splits.Dch(6, 2, 3, 5UL)
                Expect.equal data.Split.Protocol SplitNames.CustomDch "protocol"
                Expect.equal data.Split.Query dch.Query "queries"
                Expect.equal data.Split.Train dch.Train "training images"
                Expect.notEqual (hashOf e) (hashOf { e with Seed = 6 }) "another seed, another split"
            }

            test
                "a grid over a custom dataset in F# trains every method and protocol and reports under the dataset's name; encode + eval reproduce P and R of LAH, DCH and DCH end to end" {
                use dir = new Fixtures.TempDir()
                let c = writeScenes dir.Path

                let baseline =
                    { record c with
                        Evaluation =
                            { Defaults.evaluation with
                                Protocols = [ DchProtocol; LahOfficialProtocol; TopK 20 ]
                            }
                    }

                let target = Catalog.Custom.target "custom-scenes" baseline [ 16 ]
                let store = Store(Path.Combine(dir.Path, "results"))

                let outcomes =
                    Reproduce.runGrid store engineOptions Engine.execute (Target.experiments target)

                Expect.equal outcomes.Length 9 "six methods and three sanity rows"

                for o in outcomes do
                    match o.Record.Status with
                    | Finished ->
                        for k in [ "dch.map"; "lah-official.map1"; "top20.map" ] do
                            Expect.isTrue (o.Record.Final.ContainsKey k) $"{o.Experiment.Name}: {k}"
                    | Failed reason -> failtest $"{o.Experiment.Name}: {reason}"

                let files = Reproduce.writeReports store.Root target (Reproduce.lookupIn outcomes)
                let md = File.ReadAllText(List.head files)
                Expect.stringContains md "voc-scenes 16" "the dataset's column"
                Expect.stringContains md "custom dataset voc-scenes" "the data line"

                // Figure 3's classifier and an end-to-end run from random weights on the same data.
                let classifier =
                    match baseline.Head with
                    | Lah h ->
                        { baseline with
                            Name = "classifier"
                            Head = Classifier(h |> Options.set <@ fun h -> h.PoolingStride @> h.JointDim)
                            Loss = ClassificationLoss
                            Evaluation =
                                { baseline.Evaluation with
                                    Protocols = [ ClassificationMap ]
                                    EachEpoch = true
                                }
                        }
                    | other -> failtest $"head {other}"

                let endToEnd =
                    { Defaults.asDch baseline with
                        Name = "dch-end-to-end"
                        Backbone =
                            { baseline.Backbone with
                                Weights = RandomInit
                            }
                        Training =
                            { baseline.Training with
                                Mode = EndToEnd
                                Epochs = 1
                            }
                    }

                let more =
                    Reproduce.runGrid store engineOptions Engine.execute [ classifier; endToEnd ]

                match more |> List.map (fun o -> o.Record.Status, o.Record.Final) with
                | [ Finished, cls; Finished, _ ] -> Expect.isTrue (cls.ContainsKey "cls.map") "classification mAP"
                | other -> failtest $"{other}"

                let trained =
                    outcomes
                    |> List.filter (fun o -> o.Experiment.Name = "LAH" || o.Experiment.Name = "DCH")

                for o in trained @ [ List.last more ] do
                    reproducesWithEncodeAndEval store c o
            }

            test
                "experiments/custom-samples/samples.yaml trains LAH and DCH on the sample photos; encode + eval of its lists reproduce P and R" {
                match EngineTests.sampleJpegs () with
                | Some jpegs when jpegs.Length >= 90 ->
                    let repo = repo ()
                    let file = Path.Combine(repo, "experiments", "custom-samples", "samples.yaml")
                    let e = ExperimentFile.read file

                    let c =
                        match e.Data.Dataset with
                        | Custom c ->
                            let inRepo (p: string) = Path.Combine(repo, p)

                            { c with
                                Root = Path.GetDirectoryName jpegs[0] |> string
                                Labels = inRepo c.Labels
                                Lists =
                                    {
                                        Train = inRepo c.Lists.Train
                                        Database = inRepo c.Lists.Database
                                        Query = inRepo c.Lists.Query
                                    }
                                Vectors = inRepo c.Vectors
                            }
                        | other -> failtest $"samples.yaml names {other}"

                    let short =
                        { e with
                            Data = { e.Data with Dataset = Custom c }
                            Backbone =
                                { e.Backbone with
                                    Weights =
                                        match e.Backbone.Weights with
                                        | Pretrained p -> Pretrained { p with Epochs = 3 }
                                        | w -> w
                                }
                            Training = { e.Training with Epochs = 3 }
                        }

                    let data = EngineData.load short

                    Expect.equal
                        (data.Split.Train.Length, data.Split.Database.Length, data.Split.Query.Length)
                        (80, 80, 10)
                        "the lists"
                    // Ten of VOC's twenty classes occur in no training photo.
                    Expect.equal
                        (data.Warnings |> List.filter (fun w -> w.Contains "occurs in no training image")).Length
                        10
                        "warned"

                    use dir = new Fixtures.TempDir()
                    let store = Store dir.Path

                    let outcomes =
                        Reproduce.runGrid
                            store
                            engineOptions
                            Engine.execute
                            [ short; Defaults.asDch short |> Defaults.withName "custom-samples-dch-32" ]

                    for o in outcomes do
                        reproducesWithEncodeAndEval store c o
                | _ when EngineTests.requireFixtures () ->
                    failtest "sample JPEGs not found: set LAH_DATA_DIR or place ../shared/data/jpeg-samples"
                | _ -> skiptest "sample JPEGs not found: set LAH_DATA_DIR or place ../shared/data/jpeg-samples"
            }
        ]
