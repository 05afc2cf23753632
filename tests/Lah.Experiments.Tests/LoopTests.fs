/// The one training loop as records drive it: every method end to end, selection as the record says, identical
/// numbers from a second run, stale records rerun, and head/loss/mode combinations checked in one place.
module Lah.Experiments.Tests.LoopTests

open System
open System.IO
open Expecto
open Lah.Experiments
open Lah.Experiments.Results
open Lah.Experiments.Runner
open Lah.Experiments.Tests.RunnerTests
open Lah.Experiments.Tests.EngineTests

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

let private finished (o: Outcome) =
    match o.Record.Status with
    | Finished -> o.Record
    | Failed reason -> failtest $"{o.Experiment.Name} failed: {reason}"

let private endToEnd epochs (e: Experiment) =
    { e with
        Training =
            { e.Training with
                Mode = EndToEnd
                Epochs = epochs
            }
    }

/// The reduced quick profile with a shorter pre-training: what the selection and repeatability tests need.
let private small (e: Experiment) =
    let r = reduced e

    { r with
        Backbone =
            { r.Backbone with
                Weights =
                    match r.Backbone.Weights with
                    | Pretrained p -> Pretrained { p with Epochs = 3 }
                    | w -> w
            }
        Training = { r.Training with Epochs = 4 }
    }

[<Tests>]
let tests =
    testSequenced
    <| testList
        "one loop"
        [
            test "every Table 1 method trains end to end from the pre-trained backbone and beats LSH and collapsed codes" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let base' = reduced Defaults.experiment

                let run name e =
                    finished (runOne store engineOptions silent Engine.execute (Defaults.withName name e))

                // The floors are measured on the features of the backbone the end-to-end rows start from.
                let lsh = (run "lsh" (Defaults.asSanity Lsh base')).Final["dch.map"]
                let collapsed = (run "collapsed" (Defaults.asSanity Collapsed base')).Final["dch.map"]

                let maps =
                    [
                        for label, change in Catalog.Table1.methods ->
                            let r = run label (change base' |> endToEnd 4)
                            Expect.stringContains r.Backbone.Description "trained end to end" $"{label}: end to end"
                            label, r.Final["dch.map"]
                    ]

                let text =
                    (maps |> List.map (fun (l, m) -> $"{l} {m:F3}") |> String.concat ", ")
                    + $"; LSH {lsh:F3}, collapsed {collapsed:F3}"

                for label, m in maps do
                    Expect.isGreaterThan m (max lsh collapsed) $"{label} ({text})"
            }

            test "last-epoch keeps the last epoch and draws no hold-out; best-validation selects on the training split" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let base' = small Defaults.experiment

                let withSelection selection fraction (e: Experiment) =
                    { e with
                        Evaluation =
                            { e.Evaluation with
                                Selection = selection
                                ValidationFraction = fraction
                            }
                    }

                for mode, change in [ "feature mode", id; "end to end", endToEnd 4 ] do
                    let last =
                        finished (
                            runOne
                                store
                                engineOptions
                                silent
                                Engine.execute
                                (change base' |> withSelection Lah.Training.EpochSelection.LastEpoch 0.0)
                        )

                    Expect.equal last.Final["selected-epoch"] 3.0 $"{mode}: the last of 4 epochs"

                    for ep in last.Epochs do
                        Expect.isFalse (ep.Metrics.ContainsKey "validation.score") $"{mode}: no hold-out scored"

                    let best =
                        finished (
                            runOne
                                store
                                engineOptions
                                silent
                                Engine.execute
                                (change base' |> withSelection Lah.Training.EpochSelection.BestValidation 0.2)
                        )

                    let scores = best.Epochs |> List.map (fun ep -> ep.Metrics["validation.score"])
                    let top = List.max scores
                    let first = scores |> List.findIndex (fun s -> s = top)
                    Expect.equal best.Final["selected-epoch"] (float first) $"{mode}: the first best epoch ({scores})"
            }

            test "a record run twice in fresh result folders gives identical metrics, pre-training included" {
                use a = new Fixtures.TempDir()
                use b = new Fixtures.TempDir()
                let e = small Defaults.experiment |> Defaults.withName "twice"
                let threads = Lah.Torch.Torch.GetNumThreads()
                // The repeatability promise is per thread count (the README states what changes with another).
                Lah.Torch.Torch.SetNumThreads 1

                try
                    let first = finished (runOne (Store a.Path) engineOptions silent Engine.execute e)
                    // Other code drawing from libtorch's global generator in between changes nothing.
                    Lah.Torch.Torch.ManualSeed 12345L
                    use _ = Lah.Torch.Torch.Rand([| 1000L |], Lah.Torch.DType.Float32)
                    let second = finished (runOne (Store b.Path) engineOptions silent Engine.execute e)
                    Expect.equal second.Final first.Final "final metrics"
                    Expect.equal second.Backbone.ClassificationMap first.Backbone.ClassificationMap "pre-training"
                    Expect.equal (second.Epochs |> List.map (fun x -> x.Loss)) (first.Epochs |> List.map (fun x -> x.Loss)) "losses"
                finally
                    Lah.Torch.Torch.SetNumThreads threads
            }

            test "a record stored by another engine version is rerun, never reused, and the user is told" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let fake = FakeEngine()
                let e = Defaults.experiment
                let first = runOne store options silent fake.Execute e
                store.Write { first.Record with Engine = Results.engineVersion - 1 }
                let messages = ResizeArray<string>()

                let progress =
                    { new Progress with
                        member _.Status m = messages.Add m
                    }

                let again = runOne store options progress fake.Execute e
                Expect.isFalse again.Cached "not taken from the store"
                Expect.equal fake.Calls.Length 2 "run again"
                Expect.equal again.Record.Engine Results.engineVersion "the new record carries this version"

                Expect.exists
                    messages
                    (fun m -> m.Contains "engine version" && m.Contains "rerunning")
                    "says why it reruns"

                let third = runOne store options silent fake.Execute e
                Expect.isTrue third.Cached "a record of this version is reused"
            }

            test "head, loss and mode that do not fit together are refused in one place, naming the field" {
                let e = Defaults.experiment

                let refused (what: string) (x: Experiment) (field: string) =
                    Expect.exists (ExperimentFile.errors x) (fun (path, _) -> path = field) $"{what}: names {field}"

                refused "classification loss on a hash head" (Defaults.withLoss ClassificationLoss e) "loss"

                refused
                    "Cauchy loss on a classifier"
                    { e with
                        Head = Classifier Defaults.quickHead
                    }
                    "loss"

                refused "a sanity row with a loss" { Defaults.asSanity Lsh e with Loss = Cauchy(Defaults.quickLoss 48) } "loss"

                // Every loss now trains in both modes: these are fine.
                for loss in
                    [
                        Hybrid Defaults.hybridLoss
                        Csq Defaults.csqLambda
                        HashNet Defaults.hashNet
                        Dpsh Defaults.dpshEta
                    ] do
                    Expect.isEmpty (ExperimentFile.errors (endToEnd 2 (Defaults.withLoss loss e))) $"{loss} end to end"
            }
        ]
