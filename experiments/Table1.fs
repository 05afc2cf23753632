/// Table 1: MAP@H≤2 of LAH and its peers at 16–128 bits on VOC2007, MS-COCO and MIRFLICKR-25K. A new method is a new
/// row here: one more `row` line, no change to the runner.
module Lah.Experiments.Catalog.Table1

open Lah.Experiments
open Lah.Experiments.Defaults

let methods: (string * (Experiment -> Experiment)) list =
    [
        "LAH (GloVe + MFB)", id
        "DCH", asDch
        // ICANN 2023's method as we reconstruct it: a hash layer on the features with per-label centers.
        "Hybrid (centers + alignment)", asDch >> withLoss (Hybrid hybridLoss)
        "Hybrid on LAH's fused features", withLoss (Hybrid hybridLoss)
        "CSQ", asDch >> withLoss (Csq csqLambda)
        "HashNet", asDch >> withLoss (HashNet hashNet)
        "DPSH", asDch >> withLoss (Dpsh dpshEta)
    ]

let target (profile: Profile) (weights: string option) =
    let cells =
        [
            for dataset in Profiles.datasets do
                let b = Profiles.baseFor profile weights dataset

                for label, change in methods do
                    for e in grid Profiles.bits withQuickBits (change b |> withName label) ->
                        {
                            Row = label
                            Dataset = dataset
                            Bits = e.Bits
                            Experiment = e
                        }
        ]

    RetrievalTable(
        Target.withSanityRows
            {
                Id = "table1"
                Title = "Table 1 — MAP within Hamming radius 2"
                Cells = cells
                Published = Published.table1
            }
    )
