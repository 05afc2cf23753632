module Lah.Experiments.Tests.YamlTests

open System
open Expecto
open FsCheck
open Lah.Experiments
open Lah.Experiments.Yaml

let private fails (text: string) =
    try
        ExperimentFile.parse "exp.yaml" text |> ignore
        failtest "expected an error"
        ""
    with ExperimentFileError _ as e ->
        e.Message

[<Tests>]
let tests =
    testList
        "yaml"
        [
            testPropertyWithConfig
                { FsCheckConfig.defaultConfig with
                    maxTest = 200
                }
                "any experiment written out reads back equal"
            <| fun (e: Experiment) ->
                let text = ExperimentFile.toYaml e
                let back = ExperimentFile.decode "x.yaml" text
                // Trees compare NaN fields by their text; the hash must survive the trip too.
                Tree.encode back = Tree.encode e && Runner.hashOf back = Runner.hashOf e

            test "the default experiment round-trips and validates" {
                let text = ExperimentFile.toYaml Defaults.experiment
                Expect.equal (ExperimentFile.parse "d.yaml" text) Defaults.experiment "round trip"
            }

            test "fields left out keep the defaults" {
                let e =
                    ExperimentFile.parse "p.yaml" "bits: 64\nhead:\n  lah:\n    fusion: dot-product\n"

                Expect.equal e.Bits 64 "bits"

                match e.Head with
                | Lah h ->
                    Expect.equal h.Fusion Lah.Hashing.Config.FusionKind.DotProduct "fusion"
                    Expect.equal h.Embedding Defaults.lahHead.Embedding "embedding kept"
                | other -> failtest $"head {other}"

                Expect.equal e.Training Defaults.experiment.Training "training kept"
            }

            test "a union case can change with its fields from the defaults" {
                let e =
                    ExperimentFile.parse "p.yaml" "head: dch-head\ntraining:\n  optimizer:\n    sgd: 0.5\n"

                Expect.equal e.Head DchHead "head"
                Expect.equal e.Training.Optimizer (Sgd 0.5) "optimizer"
            }

            test "the center and pairwise losses read with their defaults and are checked" {
                let e =
                    ExperimentFile.parse
                        "h.yaml"
                        "head: dch-head\nloss:\n  hybrid:\n    alpha: 2\n    negatives: all-negatives\n"

                Expect.equal
                    e.Loss
                    (Hybrid(
                        Defaults.hybridLoss
                        |> Options.set <@ fun h -> h.Alpha @> 2.0
                        |> Options.set <@ fun h -> h.Negatives @> Lah.Hashing.Losses.NegativeMining.All
                    ))
                    "hybrid"

                Expect.equal
                    (ExperimentFile.parse "c.yaml" "head: dch-head\nloss:\n  csq: 0.001\n").Loss
                    (Csq 0.001)
                    "csq"

                Expect.stringContains (fails "head: dch-head\nloss:\n  dpsh: -1\n") "loss.dpsh" "range"

                Expect.stringContains
                    (fails "head: dch-head\nloss:\n  hash-net:\n    scale: 0\n")
                    "loss.hash-net.scale"
                    "range"
            }

            test "an unknown field names the field, the file and the line" {
                let msg = fails "bits: 32\ntraining:\n  epochs: 3\n  lerning-rate: 0.1\n"
                Expect.stringContains msg "exp.yaml:4" "file and line"
                Expect.stringContains msg "training.lerning-rate" "field"
                Expect.stringContains msg "learning-rate" "lists the known fields"
            }

            test "a wrong type names the field and the line" {
                let msg = fails "seed: 1\nbits: many\n"
                Expect.stringContains msg "exp.yaml:2" "line"
                Expect.stringContains msg "'bits'" "field"
                Expect.stringContains msg "expected an integer, got 'many'" "what was expected"
            }

            test "a bad case name lists the cases" {
                let msg = fails "head:\n  lah:\n    fusion: sum\n"
                Expect.stringContains msg "exp.yaml:3" "line"
                Expect.stringContains msg "head.lah.fusion" "field"
                Expect.stringContains msg "mfb, dot-product, no-fusion" "cases"
            }

            test "a value out of range names the field and its line" {
                let msg = fails "name: x\nbits: 4\n"
                Expect.stringContains msg "exp.yaml:2" "line"
                Expect.stringContains msg "'bits'" "field"
                Expect.stringContains msg "from 8 to 1024" "range"

                let msg2 = fails "head:\n  lah:\n    joint-dim: 10\n    pooling-stride: 3\n"
                Expect.stringContains msg2 "head.lah.pooling-stride" "field"
                Expect.stringContains msg2 "exp.yaml:4" "line"
            }

            test "malformed YAML is an error naming the file" {
                let msg = fails "bits: [1, 2\n"
                Expect.stringContains msg "exp.yaml" "file"
                Expect.stringContains msg "not valid YAML" "reason"
            }

            test "strings with quotes, colons and line breaks survive" {
                let e =
                    { Defaults.experiment with
                        Name = "a: 'b' \"c\"\nd\\e\t#f"
                    }

                Expect.equal (ExperimentFile.parse "s.yaml" (ExperimentFile.toYaml e)) e "round trip"
            }
        ]
