/// The real engine on reduced grids: it learns, it resumes to the same numbers, and bad data fails clearly.
module Lah.Experiments.Tests.EngineTests

open System
open System.IO
open Expecto
open Lah.Experiments
open Lah.Experiments.Results
open Lah.Experiments.Runner
open Lah.Experiments.Tests.RunnerTests

/// The quick profile, reduced: fewer scenes and a shorter pre-training, 48 bits (where LSH is no longer near the
/// learned heads, so the margins below hold whatever the run-to-run noise of multithreaded pre-training).
let reduced (e: Experiment) =
    { e with
        Data =
            { e.Data with
                Pool = 1750
                Train = 1500
                Query = 250
            }
        Backbone =
            { e.Backbone with
                Weights =
                    match e.Backbone.Weights with
                    | Pretrained p -> Pretrained { p with Epochs = 12 }
                    | w -> w
            }
    }
    |> Defaults.withQuickBits 48

/// Copies a results folder's shared work (pre-trained backbones, features) into another.
let copyCache (from: string) (into: string) =
    let source = Path.Combine(from, "cache")

    for f in Directory.GetFiles(source, "*", SearchOption.AllDirectories) do
        let target = Path.Combine(into, "cache", Path.GetRelativePath(source, f))
        Directory.CreateDirectory(Path.GetDirectoryName target) |> ignore
        File.Copy(f, target)

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

let private map (o: Outcome) =
    match o.Record.Status with
    | Finished -> o.Record.Final["dch.map"]
    | Failed reason -> failtest $"{o.Experiment.Name} failed: {reason}"

/// Where the sample photographs are (an external fixture): LAH_DATA_DIR, the repository's data/, ../shared/data.
let sampleJpegs () =
    match Lah.Data.DataPaths.FindData "jpeg-samples" with
    | null -> None
    | dir -> Some(Directory.GetFiles(dir, "*.jpg") |> Array.sort)

let requireFixtures () =
    Environment.GetEnvironmentVariable "LAH_REQUIRE_FIXTURES" = "1"

/// Lays out `n` photographs as each official layout expects, with label files naming them.
let paperFixture (dir: string) (jpegs: string[]) (dataset: DatasetName) =
    let n = jpegs.Length
    let labels = Path.Combine(dir, "labels")
    Directory.CreateDirectory labels |> ignore
    let shipped = EngineData.labelDir dataset
    let names = File.ReadAllLines(Path.Combine(shipped, "labels.txt"))

    for f in [ "labels.txt"; "wordvec_glove.txt" ] do
        File.Copy(Path.Combine(shipped, f), Path.Combine(labels, f))
    // Each image gets labels (i mod R) and (i·7 mod R): every image labelled, labels shared across images.
    let row i =
        Array.init names.Length (fun l ->
            if l = i % names.Length || l = (i * 7) % names.Length then
                1
            else
                -1)

    let root = Lah.Data.DatasetRoot.Folder(EngineData.folderName dataset, Path.Combine(dir, "root"))

    let place (rel: string) (i: int) =
        let target = Path.Combine(root, rel)
        Directory.CreateDirectory(Path.GetDirectoryName target) |> ignore
        File.Copy(jpegs[i], target)

    let half = n / 2

    match dataset with
    | Voc2007 ->
        let csv (from: int) (count: int) =
            [
                "name," + String.Join(",", names)
                for i in from .. from + count - 1 do
                    let id = $"{i:D6}"
                    place (Path.Combine("JPEGImages", id + ".jpg")) i
                    id + "," + String.Join(",", row i)
            ]

        File.WriteAllLines(Path.Combine(labels, "classification_trainval.csv"), csv 0 half)
        File.WriteAllLines(Path.Combine(labels, "classification_test.csv"), csv half (n - half))
    | Coco2014 ->
        let list (from: int) (count: int) (part: string) =
            [
                for i in from .. from + count - 1 do
                    let rel = $"{part}/COCO_{part}_{i:D12}.jpg"
                    place rel i

                    rel
                    + " "
                    + String.Join(" ", row i |> Array.map (fun v -> if v > 0 then "1" else "0"))
            ]

        File.WriteAllLines(Path.Combine(labels, "train.txt"), list 0 half "train2014")
        File.WriteAllLines(Path.Combine(labels, "test.txt"), list half (n - half) "val2014")

        // COCO's own instances files over the same images, for the full-size protocols (dch-full, lah-official-full):
        // COCO's own category ids (1..90 with gaps, not in the label files' order), so only the names can put the columns
        // in that order.
        let instances (from: int) (count: int) (part: string) =
            let images =
                [|
                    for i in from .. from + count - 1 ->
                        {|
                            id = i + 1
                            file_name = $"COCO_{part}_{i:D12}.jpg"
                        |}
                |]

            let annotations =
                [|
                    for i in from .. from + count - 1 do
                        for l in 0 .. names.Length - 1 do
                            if row i |> Array.item l > 0 then
                                yield
                                    {|
                                        id = i * 1000 + l
                                        image_id = i + 1
                                        category_id = Lah.Data.CocoCategories.ByName(names[l]).Id
                                    |}
                |]

            let categories =
                names
                |> Array.map (fun name ->
                    {|
                        id = Lah.Data.CocoCategories.ByName(name).Id
                        name = name
                    |})

            let file = Path.Combine(root, "annotations", $"instances_{part}.json")
            Directory.CreateDirectory(Path.GetDirectoryName file) |> ignore

            File.WriteAllText(
                file,
                Text.Json.JsonSerializer.Serialize
                    {|
                        images = images
                        annotations = annotations
                        categories = categories
                    |}
            )

        instances 0 half "train2014"
        instances half (n - half) "val2014"
    | Mirflickr25k ->
        let csv (from: int) (count: int) =
            [
                "name," + String.Join(",", names)
                for i in from .. from + count - 1 do
                    place $"im{i + 1}.jpg" i
                    string (i + 1) + "," + String.Join(",", row i)
            ]

        File.WriteAllLines(Path.Combine(labels, "train.csv"), csv 0 half)
        File.WriteAllLines(Path.Combine(labels, "test.csv"), csv half (n - half))
    | Custom _ -> invalidArg "dataset" "a custom dataset has no official layout"

    Path.Combine(dir, "root"), labels

[<Tests>]
let tests =
    testSequenced
    <| testList
        "engine"
        [
            test "the quick profile on a reduced grid: LAH and DCH clearly above LSH and collapsed codes" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let base' = reduced Defaults.experiment

                let rows =
                    [
                        "lah", base'
                        "dch", Defaults.asDch base'
                        "lsh", Defaults.asSanity Lsh base'
                        "collapsed", Defaults.asSanity Collapsed base'
                    ]

                let outcomes =
                    rows
                    |> List.map (fun (name, e) ->
                        name, runOne store engineOptions silent Engine.execute (Defaults.withName name e))
                    |> Map.ofList

                let lah, dch, lsh, collapsed =
                    map outcomes["lah"], map outcomes["dch"], map outcomes["lsh"], map outcomes["collapsed"]

                let floor = max lsh collapsed
                Expect.isGreaterThan lah (floor + 0.05) $"LAH {lah:F3} vs LSH {lsh:F3}, collapsed {collapsed:F3}"
                Expect.isGreaterThan dch (floor + 0.05) $"DCH {dch:F3} vs LSH {lsh:F3}, collapsed {collapsed:F3}"

                let losses = outcomes["lah"].Record.Epochs |> List.map (fun e -> e.Loss)
                Expect.isLessThan (List.last losses) (List.head losses) "LAH's loss falls"

                let backbone = outcomes["lah"].Record.Backbone

                Expect.isTrue
                    (Double.IsFinite backbone.ClassificationMap)
                    "the backbone's classification mAP is measured"

                Expect.stringContains backbone.Description "pre-trained here" "how the backbone was trained"
            }

            test "the center and pairwise rows of Table 1 run through the engine and clear collapsed codes" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let base' = reduced Defaults.experiment

                let run name e =
                    runOne store engineOptions silent Engine.execute (Defaults.withName name e)

                let lsh = map (run "lsh" (Defaults.asSanity Lsh base'))
                let floor = map (run "collapsed" (Defaults.asSanity Collapsed base')) + 0.1

                let maps =
                    [
                        for label, change in Catalog.Table1.methods -> label, map (run label (change base'))
                    ]

                let text =
                    (maps |> List.map (fun (l, m) -> $"{l} {m:F3}") |> String.concat ", ")
                    + $", LSH {lsh:F3}"

                // The engine wiring is under test here (the learning margins against LSH are CenterLearningTests'): on
                // the reduced grid some of these rows sit within run-to-run noise of LSH (multithreaded pre-training
                // is not bit-exact), so the floor is the collapsed value, which a wired-up but broken loss lands on.
                for label, m in maps |> List.skip 2 do
                    Expect.isGreaterThan m floor $"{label}: MAP {m:F3} vs floor {floor:F3} ({text})"
            }

            test "a grid interrupted after its first run resumes to the numbers of an uninterrupted one" {
                use a = new Fixtures.TempDir()
                use b = new Fixtures.TempDir()
                let base' = reduced Defaults.experiment |> Defaults.withName "r"

                let base' =
                    { base' with
                        Backbone =
                            { base'.Backbone with
                                Weights =
                                    match base'.Backbone.Weights with
                                    | Pretrained p -> Pretrained { p with Epochs = 2 }
                                    | w -> w
                            }
                    }

                let grid = [ base'; Defaults.withBits 16 base'; Defaults.asSanity Lsh base' ]

                let whole = runAll (Store a.Path) engineOptions silent Engine.execute ignore grid
                // The same pre-trained backbone in both (multithreaded pre-training is not bit-exact across runs).
                copyCache a.Path b.Path
                // "Killed" after the first run: a second process finds its record and goes on from there.
                runAll (Store b.Path) engineOptions silent Engine.execute ignore [ grid.Head ]
                |> ignore

                let resumed = runAll (Store b.Path) engineOptions silent Engine.execute ignore grid
                Expect.isTrue resumed.Head.Cached "the finished run is not redone"

                Expect.equal
                    (resumed |> List.map (fun o -> o.Record.Final))
                    (whole |> List.map (fun o -> o.Record.Final))
                    "same final numbers"
            }

            test "a run on a missing dataset is recorded as failed, naming the folder" {
                use dir = new Fixtures.TempDir()
                let missing = Path.Combine(dir.Path, "no-such-root")

                let e = Catalog.Profiles.paper missing None Voc2007 |> Defaults.withName "missing"

                let o = runOne (Store dir.Path) engineOptions silent Engine.execute e

                match o.Record.Status with
                | Failed reason -> Expect.stringContains reason "no-such-root" "names the folder"
                | Finished -> failtest "finished on a missing dataset"
            }

            test "the paper profile runs one short epoch on a tiny fixture in each official layout" {
                match sampleJpegs () with
                | Some jpegs when jpegs.Length >= 24 ->
                    for dataset in [ Voc2007; Coco2014; Mirflickr25k ] do
                        use dir = new Fixtures.TempDir()
                        let root, labels = paperFixture dir.Path (Array.take 24 jpegs) dataset
                        let paper = Catalog.Profiles.paper root None dataset

                        let e =
                            { paper with
                                Name = $"paper-{dataset}"
                                Data = { paper.Data with LabelDir = labels }
                                // ResNet-101 at 448 is the paper's; one short epoch of ResNet-18 at 64 checks the path.
                                Backbone =
                                    { paper.Backbone with
                                        Arch = "resnet18"
                                        InputSize = 64
                                    }
                                Training =
                                    { paper.Training with
                                        Epochs = 1
                                        BatchSize = 4
                                    }
                            }

                        let o = runOne (Store dir.Path) engineOptions silent Engine.execute e

                        match o.Record.Status with
                        | Finished ->
                            Expect.equal o.Record.Epochs.Length 1 $"{dataset}: one epoch"
                            Expect.isTrue (o.Record.Final.ContainsKey "dch.map") $"{dataset}: DCH protocol"

                            Expect.isTrue
                                (o.Record.Final.ContainsKey "lah-official.map1")
                                $"{dataset}: official protocol"
                        | Failed reason -> failtest $"{dataset}: {reason}"
                | _ when requireFixtures () ->
                    failtest "sample JPEGs not found: set LAH_DATA_DIR or place ../shared/data/jpeg-samples"
                | _ -> skiptest "sample JPEGs not found: set LAH_DATA_DIR or place ../shared/data/jpeg-samples"
            }

            test "named protocols select the full-size COCO pool from its instances files" {
                match sampleJpegs () with
                | Some jpegs when jpegs.Length >= 24 ->
                    use dir = new Fixtures.TempDir()
                    let root, labels = paperFixture dir.Path (Array.take 24 jpegs) Coco2014
                    let paper = Catalog.Profiles.paper root None Coco2014

                    let run split =
                        let e =
                            { paper with
                                Name = $"coco-{split}"
                                Data =
                                    { paper.Data with
                                        LabelDir = labels
                                        Split = NamedSplit split
                                    }
                                Backbone =
                                    { paper.Backbone with
                                        Arch = "resnet18"
                                        InputSize = 64
                                    }
                                Training =
                                    { paper.Training with
                                        Mode = FeatureMode
                                        Epochs = 1
                                        BatchSize = 4
                                    }
                            }

                        Expect.isEmpty (ExperimentFile.errors e) $"{split}: valid"
                        let data = EngineData.load e
                        let o = runOne (Store dir.Path) engineOptions silent Engine.execute e
                        data, o

                    // Twelve train2014 images train; the twelve val2014 images are searched leave-one-out.
                    let data, o = run "lah-official-full"
                    Expect.equal data.Split.Protocol "lah-official-full" "the split is the named protocol"
                    Expect.equal data.Split.Train (Array.init 12 id) "train2014 trains"
                    Expect.equal data.Split.Query (Array.init 12 (fun i -> 12 + i)) "val2014 is searched"
                    Expect.equal data.Dataset.LabelNames.Count 80 "the 80 categories"
                    // Image i carries labels i mod 80 and 7i mod 80, whatever the category ids say.
                    for i in [ 0; 5; 13; 23 ] do
                        let labelled =
                            [ 0..79 ]
                            |> List.filter (fun l -> data.Dataset[i].Labels.Positive[l])
                            |> Set.ofList

                        Expect.equal labelled (Set.ofList [ i % 80; (i * 7) % 80 ]) $"image {i}'s labels"

                    match o.Record.Status with
                    | Finished -> Expect.isTrue (o.Record.Final.ContainsKey "lah-official.map1") "official protocol"
                    | Failed reason -> failtest reason

                    // The lists' protocols refuse this pool's name and the embedded scenes refuse any named one.
                    let onLists =
                        { paper with
                            Data =
                                { paper.Data with
                                    LabelDir = labels
                                    Split = NamedSplit "no-such-protocol"
                                }
                        }

                    Expect.exists
                        (ExperimentFile.errors onLists)
                        (fun (path, msg) -> path = "data.split" && msg.Contains "dch-full")
                        "an unknown name lists the protocols"

                    let embedded =
                        { Defaults.experiment with
                            Data =
                                { Defaults.experiment.Data with
                                    Split = NamedSplit "dch-full"
                                }
                        }

                    Expect.exists (ExperimentFile.errors embedded) (fun (path, _) -> path = "data.split") "embedded"
                | _ when requireFixtures () ->
                    failtest "sample JPEGs not found: set LAH_DATA_DIR or place ../shared/data/jpeg-samples"
                | _ -> skiptest "sample JPEGs not found: set LAH_DATA_DIR or place ../shared/data/jpeg-samples"
            }
        ]
