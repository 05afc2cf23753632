/// `lah data render`: the CLI writes the three layouts at a small count, reads back through the real-data readers,
/// prints what it wrote and refuses a folder in use.
module Lah.Experiments.Tests.DataRenderTests

open System
open System.IO
open Expecto
open Lah.Data
open Lah.Experiments

/// Runs the `lah` CLI in this process; its exit code, standard output and standard error.
let private lah (args: string list) =
    let out, err = Console.Out, Console.Error
    use captured = new StringWriter()
    use errors = new StringWriter()
    Console.SetOut captured
    Console.SetError errors

    let rc =
        try
            Program.main (Array.ofList args)
        finally
            Console.SetOut out
            Console.SetError err

    rc, captured.ToString(), errors.ToString()

[<Tests>]
let tests =
    testSequenced
    <| testList
        "data render"
        [
            test
                "lah data render --dataset all writes every layout at a small count, read back by the real-data readers" {
                use dir = new Fixtures.TempDir()
                let root = Path.Combine(dir.Path, "R")

                let rc, text, _ =
                    lah
                        [
                            "data"
                            "render"
                            "--dataset"
                            "all"
                            "--out"
                            root
                            "--count"
                            "3"
                            "--size"
                            "16"
                        ]

                Expect.equal rc 0 "rendered"
                Expect.stringContains text "voc2007: 3 trainval + 3 test at 16 px" "what VOC got"
                Expect.stringContains text "coco2014: 3 train2014 + 3 val2014" "what COCO got"
                Expect.stringContains text "mirflickr25k: 3 images" "what MIRFLICKR got"
                Expect.stringContains text "rendered voc2007, coco2014, mirflickr25k into" "the closing line"
                Expect.stringContains text " s\n" "the time"

                for d in LahDatasets.Names do
                    let pool = DatasetRoot.Load(d, root)
                    // im1..im3 of MIRFLICKR all carry labels; VOC and COCO have 3 + 3.
                    Expect.equal pool.Pool.Count (if d = "mirflickr25k" then 3 else 6) $"{d}: the rendered images"
                    let first = pool.Pool[0].Image.Load()
                    Expect.equal (first.Width, first.Height) (16, 16) $"{d}: --size"

                    let split = Splits.ForPool(d, DatasetRoot.PaperProtocol d, pool, 1UL)

                    Expect.isNonEmpty split.Query $"{d}: the paper's split on it"

                let rc, _, err =
                    lah [ "data"; "render"; "--dataset"; "voc2007"; "--out"; root; "--count"; "3" ]

                Expect.equal rc 2 "a folder in use is refused"
                Expect.stringContains err (DatasetRoot.VocDevkit root) "named"
            }

            test "by default the quick recipe's scene counts" {
                let voc = DataCommand.defaultCounts "voc2007"
                Expect.equal (voc["trainval"], voc["test"]) (2000, 500) "VOC"
                let coco = DataCommand.defaultCounts "coco2014"
                Expect.equal (coco["train2014"], coco["val2014"]) (4000, 500) "COCO"
                let flickr = DataCommand.defaultCounts "mirflickr25k"
                Expect.equal flickr["images"] 2500 "MIRFLICKR"
            }
        ]
