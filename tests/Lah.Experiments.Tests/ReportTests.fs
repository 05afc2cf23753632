module Lah.Experiments.Tests.ReportTests

open System.IO
open Expecto
open Lah.Experiments
open Lah.Experiments.Results
open Lah.Experiments.Runner
open Lah.Experiments.Tests.RunnerTests

let private spec =
    let cells =
        [
            for row, change in [ "LAH", id; "DCH", Defaults.asDch ] do
                for bits in [ 16; 32 ] ->
                    {
                        Row = row
                        Dataset = Voc2007
                        Bits = bits
                        Experiment = Defaults.experiment |> change |> Defaults.withBits bits |> Defaults.withName row
                    }
        ]

    {
        Id = "t"
        Title = "Test table"
        Cells = cells
        Published =
            [
                {
                    Label = "LAH (paper)"
                    Source = "the paper"
                    Values = Map.ofList [ (Voc2007, 16), 0.5984 ]
                }
            ]
    }

[<Tests>]
let tests =
    testList
        "report"
        [
            test "a table renders from a fixed store to the expected Markdown" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                // DCH at 32 bits fails: its cell says so and the reason is a footnote.
                let engine = FakeEngine(fun e -> e.Head = DchHead && e.Bits = 32)
                let experiments = spec.Cells |> List.map (fun c -> c.Experiment)
                runAll store options silent engine.Execute ignore experiments |> ignore

                let md =
                    Report.retrievalTable spec "dch.map" "MAP@H≤2" (Reproduce.lookupStored store)

                let lines = md.Split('\n')
                Expect.equal lines[0] "# Test table" "title"
                Expect.contains lines "| method | VOC2007 16 | VOC2007 32 |" "header"
                Expect.contains lines "| LAH | 0.0260 | 0.0420 |" "LAH row: bits/1000 + seed/100"
                Expect.contains lines "| DCH | 0.0260 | failed[^1] |" "failed cell"
                Expect.contains lines "| LAH (paper) | 0.5984 |  |" "published row apart"

                Expect.isTrue
                    (lines
                     |> Array.exists (fun l -> l.StartsWith "[^1]: loss: expected a finite value, got NaN"))
                    "footnote with the reason"

                let published =
                    lines |> Array.findIndex (fun l -> l = "| LAH (paper) | 0.5984 |  |")

                let ours = lines |> Array.findIndex (fun l -> l = "| LAH | 0.0260 | 0.0420 |")
                Expect.isLessThan ours published "ours first, the paper's apart below"
                Expect.stringContains md "- Protocol: DCH (MAP, P and R within Hamming radius 2" "protocol stated"
                Expect.stringContains md "- Data (VOC2007): embedded default" "data stated"

                Expect.stringContains
                    md
                    "- Backbone (VOC2007): fake backbone; its held-out classification mAP is 90.0."
                    "backbone"

                Expect.stringContains md "- Seeds: 1." "seeds"
            }

            test "a missing run shows a dash, never a number" {
                use dir = new Fixtures.TempDir()

                let md =
                    Report.retrievalTable spec "dch.map" "MAP" (Reproduce.lookupStored (Store dir.Path))

                Expect.stringContains md "| LAH | — | — |" "dashes"
            }

            test "reports are written as Markdown and SVG" {
                use dir = new Fixtures.TempDir()
                let store = Store dir.Path
                let experiments = spec.Cells |> List.map (fun c -> c.Experiment)
                let outcomes = runAll store options silent (FakeEngine().Execute) ignore experiments

                let files =
                    Reproduce.writeReports dir.Path (RetrievalTable spec) (Reproduce.lookupIn outcomes)

                Expect.equal
                    (files |> List.map Path.GetFileName)
                    [ "t.md"; "t-audit.md"; "t-precision.svg"; "t-recall.svg" ]
                    "files"

                for f in files do
                    Expect.isTrue (File.Exists f) f

                let svg = File.ReadAllText(Path.Combine(dir.Path, "t-precision.svg"))
                Expect.stringContains svg "<svg" "an SVG document"
                Expect.stringContains svg "LAH (VOC2007)" "legend"
            }

            test "a convergence figure renders per-epoch values" {
                use dir = new Fixtures.TempDir()

                let fig =
                    {
                        Id = "f"
                        Title = "Fig"
                        Series =
                            [
                                {
                                    Label = "LAH"
                                    Dataset = Voc2007
                                    Experiment = Defaults.experiment
                                }
                            ]
                    }

                let outcomes =
                    runAll (Store dir.Path) options silent (FakeEngine().Execute) ignore [ Defaults.experiment ]

                let md, _ = Report.convergenceTable fig "test.cls-map" (Reproduce.lookupIn outcomes)
                Expect.stringContains md "| epoch | LAH (VOC2007) |" "header"
                Expect.stringContains md "| 1 | 50.00 |" "epoch 1"
                Expect.stringContains md "| 2 | 51.00 |" "epoch 2"
            }
        ]
