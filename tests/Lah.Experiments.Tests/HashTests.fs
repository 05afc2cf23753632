module Lah.Experiments.Tests.HashTests

open Expecto
open Lah.Experiments
open Lah.Experiments.Defaults
open Lah.Hashing.Config

let private hash = Runner.hashOf

/// Each change alters something a result depends on.
let private changes: (string * (Experiment -> Experiment)) list =
    [
        "bits", withBits 64
        "seed", withSeed 2
        "dataset", withDataset Coco2014
        "fusion", withFusion FusionKind.DotProduct
        "embedding", withEmbedding WordEmbedding.FastText
        "head", asDch
        "tau", mapLah (Options.set <@ fun (h: LahHeadOptions) -> h.Tau @> 0.5)
        "learning rate",
        (fun e ->
            { e with
                Training = { e.Training with LearningRate = 0.002 }
            })
        "group rate",
        (fun e ->
            { e with
                Training =
                    { e.Training with
                        GroupRates = Map.ofList [ "gcn", 0.01 ]
                    }
            })
        "optimizer",
        (fun e ->
            { e with
                Training = { e.Training with Optimizer = Sgd 0.9 }
            })
        "schedule",
        (fun e ->
            { e with
                Training =
                    { e.Training with
                        Schedule = Step(5, 0.1)
                    }
            })
        "epochs", withEpochs 3
        "loss",
        (fun e ->
            { e with
                Loss = Cauchy(quickLoss 48 |> Options.set <@ fun c -> c.Gamma @> 2.0)
            })
        "hybrid loss", withLoss (Hybrid hybridLoss)
        "hybrid margin", withLoss (Hybrid(hybridLoss |> Options.set <@ fun h -> h.Margin @> 0.5))
        "hybrid centers seed", withLoss (Hybrid(hybridLoss |> Options.set <@ fun h -> h.CentersSeed @> 1))
        "radius",
        (fun e ->
            { e with
                Evaluation = { e.Evaluation with Radius = 1 }
            })
        "protocols",
        (fun e ->
            { e with
                Evaluation =
                    { e.Evaluation with
                        Protocols = [ TopK 100 ]
                    }
            })
        "scene size",
        (fun e ->
            { e with
                Data = { e.Data with SceneSize = 96 }
            })
        "split",
        (fun e ->
            { e with
                Data = { e.Data with Split = LahOfficialSplit }
            })
        "backbone arch",
        (fun e ->
            { e with
                Backbone = { e.Backbone with Arch = "resnet18" }
            })
        "pretraining epochs",
        (fun e ->
            { e with
                Backbone =
                    { e.Backbone with
                        Weights = Pretrained { pretrainingFor Voc2007 with Epochs = 3 }
                    }
            })
    ]

/// Each change alters only names, paths or labels.
let private neutral: (string * (Experiment -> Experiment)) list =
    [
        "name", withName "another name"
        "dataset root",
        (fun e ->
            { e with
                Data = { e.Data with Root = "/elsewhere" }
            })
        "weights path (no file)",
        (fun e ->
            { e with
                Backbone =
                    { e.Backbone with
                        WeightsFile = "/x.safetensors"
                    }
            })
    ]

[<Tests>]
let tests =
    testList
        "content hash"
        [
            test "is stable: the default experiment's hash is pinned" {
                // Changing the records or their defaults changes this: results stored under the old hash are not reused.
                // The same on every machine and run: canonical text of every hashed field, floats round-trip formatted.
                Expect.equal (hash Defaults.experiment) "a7fed088cc444945" "the pinned hash"
            }

            for name, f in changes do
                test $"changes with {name}" {
                    Expect.notEqual (hash (f Defaults.experiment)) (hash Defaults.experiment) name
                }

            for name, f in neutral do
                test $"ignores {name}" { Expect.equal (hash (f Defaults.experiment)) (hash Defaults.experiment) name }

            test "a weights file's content is hashed, its path is not" {
                use dir = new Fixtures.TempDir()
                let a = System.IO.Path.Combine(dir.Path, "a.safetensors")
                let b = System.IO.Path.Combine(dir.Path, "b.safetensors")
                System.IO.File.WriteAllBytes(a, [| 1uy; 2uy |])
                System.IO.File.WriteAllBytes(b, [| 1uy; 2uy |])

                let withFile f =
                    { Defaults.experiment with
                        Backbone =
                            { Defaults.experiment.Backbone with
                                Weights = WeightsFile
                                WeightsFile = f
                            }
                    }

                Expect.equal (hash (withFile a)) (hash (withFile b)) "same bytes elsewhere"
                System.IO.File.WriteAllBytes(b, [| 1uy; 3uy |])
                Expect.notEqual (hash (withFile a)) (hash (withFile b)) "other bytes"
            }

            test "grid expansion gives one experiment per value, in order" {
                let g = grid [ 16; 32; 48; 64; 128 ] withBits Defaults.experiment
                Expect.equal (g |> List.map (fun e -> e.Bits)) [ 16; 32; 48; 64; 128 ] "bits"
                Expect.equal (g |> List.map hash |> List.distinct |> List.length) 5 "distinct hashes"

                let c =
                    cross [ withFusion FusionKind.Mfb; withFusion FusionKind.DotProduct ] [ withBits 16; withBits 32 ] Defaults.experiment

                Expect.equal c.Length 4 "2 × 2"
                Expect.equal (c |> List.map hash |> List.distinct |> List.length) 4 "all distinct"
            }

            test "table 1 holds every method, dataset and bit length, with the sanity rows" {
                match Catalog.All.target "table1" Quick None with
                | RetrievalTable t ->
                    let rows = t.Cells |> List.map (fun c -> c.Row) |> List.distinct

                    Expect.containsAll
                        rows
                        [
                            "LAH (GloVe + MFB)"
                            "DCH"
                            "Hybrid (centers + alignment)"
                            "CSQ"
                            "HashNet"
                            "DPSH"
                        ]
                        "methods"

                    Expect.equal rows.Length 10 "seven methods and three sanity rows"
                    Expect.equal t.Cells.Length (10 * 3 * 5) "rows × datasets × bits"

                    let hashes = t.Cells |> List.map (fun c -> hash c.Experiment) |> List.distinct
                    Expect.equal hashes.Length t.Cells.Length "every cell its own experiment"

                    for c in t.Cells do
                        Expect.equal c.Experiment.Bits c.Bits "cell bits"
                        Expect.equal c.Experiment.Data.Dataset c.Dataset "cell dataset"
                        Expect.isEmpty (ExperimentFile.errors c.Experiment) $"{c.Row} valid"
                | other -> failtest $"{other}"
            }

            test "table 1's paper profile trains every method end to end" {
                match Catalog.All.target "table1" (Paper "/data") None with
                | RetrievalTable t ->
                    for c in t.Cells do
                        Expect.isEmpty (ExperimentFile.errors c.Experiment) $"{c.Row} valid"

                    let rows = t.Cells |> List.map (fun c -> c.Row) |> List.distinct
                    Expect.equal rows.Length 10 "seven methods and three sanity rows"

                    for c in t.Cells do
                        match c.Experiment.Head with
                        | Lsh
                        | RandomCodes
                        | Collapsed -> ()
                        | Lah _
                        | DchHead
                        | Classifier _ -> Expect.equal c.Experiment.Training.Mode EndToEnd $"{c.Row} end to end"
                | other -> failtest $"{other}"
            }

            test "table 2 and figure 3 validate" {
                for name in [ "table2"; "figure3" ] do
                    for e in Target.experiments (Catalog.All.target name Quick None) do
                        Expect.isEmpty (ExperimentFile.errors e) $"{name}: {e.Name}"
            }
        ]
