module Lah.Experiments.Tests.RunnerTests

open System
open Expecto
open Lah.Experiments
open Lah.Experiments.Results
open Lah.Experiments.Runner

let silent =
    { new Progress with
        member _.Status _ = ()
    }

let options =
    {
        Force = false
        Budget =
            {
                Threads = 1
                Device = "cpu"
                Parallel = None
            }
    }

/// A deterministic stand-in for the engine: MAP is a function of the experiment; calls are counted.
type FakeEngine(?failWhen: Experiment -> bool) =
    let calls = ResizeArray<Experiment>()
    member _.Calls = List.ofSeq calls

    member _.Execute: Executor =
        fun _ e ->
            calls.Add e

            if defaultArg failWhen (fun _ -> false) e then
                failwith $"loss: expected a finite value, got NaN ({e.Name})"

            let map = float e.Bits / 1000.0 + float e.Seed / 100.0

            {
                Epochs =
                    [
                        for ep in 0..1 ->
                            {
                                Epoch = ep
                                Loss = 1.0 / float (ep + 1)
                                Metrics = Map.ofList [ "test.cls-map", 50.0 + float ep ]
                            }
                    ]
                Final = Map.ofList [ "dch.map", map; "dch.precision", 0.5; "dch.recall", 0.25 ]
                Backbone =
                    {
                        Description = "fake backbone"
                        ClassificationMap = 90.0
                    }
                ImagesPerSecond = 100.0
            }

let grid = Defaults.grid [ 16; 32; 48; 64 ] Defaults.withBits Defaults.experiment

let finals (outcomes: Outcome list) =
    outcomes |> List.map (fun o -> o.Hash, o.Record.Final)

[<Tests>]
let tests =
    testList
        "runner"
        [
            test "a finished run is stored and skipped the second time" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let engine = FakeEngine()
                let first = runAll store options silent engine.Execute ignore grid
                Expect.equal engine.Calls.Length 4 "all ran"
                Expect.isTrue (first |> List.forall (fun o -> not o.Cached)) "ran now"
                let second = runAll store options silent engine.Execute ignore grid
                Expect.equal engine.Calls.Length 4 "nothing ran again"
                Expect.isTrue (second |> List.forall (fun o -> o.Cached)) "from the store"
                Expect.equal (finals second) (finals first) "same numbers"
            }

            test "a grid interrupted after some runs resumes to the numbers of an uninterrupted one" {
                use dir = new Fixtures.TempDir()
                use fresh = new Fixtures.TempDir()
                let store = Store dir.Path
                let engine = FakeEngine()
                // The process dies after two runs: only their records exist.
                runAll store options silent engine.Execute ignore (List.take 2 grid) |> ignore
                let resumed = runAll store options silent engine.Execute ignore grid
                Expect.equal engine.Calls.Length 4 "each experiment ran once in all"

                let whole =
                    runAll (Store fresh.Path) options silent (FakeEngine().Execute) ignore grid

                Expect.equal (finals resumed) (finals whole) "same final numbers"
            }

            test "--force reruns" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let engine = FakeEngine()
                runAll store options silent engine.Execute ignore grid |> ignore

                runAll store { options with Force = true } silent engine.Execute ignore grid
                |> ignore

                Expect.equal engine.Calls.Length 8 "ran twice"
            }

            test "a failed run is recorded with its reason and the grid goes on" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let engine = FakeEngine(fun e -> e.Bits = 32)
                let outcomes = runAll store options silent engine.Execute ignore grid
                Expect.equal engine.Calls.Length 4 "every run tried"

                let failed = outcomes |> List.filter (fun o -> o.Record.Status <> Finished)

                Expect.equal failed.Length 1 "one failure"

                match (store.TryRead failed.Head.Hash).Value.Status with
                | Failed reason -> Expect.stringContains reason "expected a finite value" "reason stored"
                | Finished -> failtest "stored as finished"

                // A failed run is tried again next time; finished ones are not.
                runAll store options silent engine.Execute ignore grid |> ignore
                Expect.equal engine.Calls.Length 5 "only the failed run again"
            }

            test "each distinct experiment runs once" {
                use dir = new Fixtures.TempDir()
                let engine = FakeEngine()

                runAll
                    (Store dir.Path)
                    options
                    silent
                    engine.Execute
                    ignore
                    (grid @ grid |> List.map (Defaults.withName "x"))
                |> ignore

                Expect.equal engine.Calls.Length 4 "duplicates by hash run once"
            }

            test "a run record reads back equal from its JSON" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let o = runOne store options silent (FakeEngine().Execute) Defaults.experiment
                let back = (store.TryRead o.Hash).Value
                Expect.equal back o.Record "JSON round trip"
                Expect.equal (ExperimentFile.parse "run.json" back.Experiment) Defaults.experiment "experiment inside"

                Expect.isTrue
                    (back.Machine.ContainsKey "cpu" && back.Versions.ContainsKey "dotnet")
                    "machine and versions"
            }

            test "a corrupt run record is an error naming the file" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let hash = Runner.hashOf Defaults.experiment
                IO.Directory.CreateDirectory(store.RunDir hash) |> ignore
                IO.File.WriteAllText(store.RunFile hash, "{\"format\": \"lah-run/1\", \"hash\": 3")

                let e =
                    Expect.throwsT<IO.InvalidDataException> (fun () -> store.TryRead hash |> ignore) "corrupt"

                ()
            }
        ]
