/// Table 2: word embedding {GloVe, GoogleNews, FastText, none} × fusion {MFB, DP, none} of LAH.
module Lah.Experiments.Catalog.Table2

open Lah.Experiments
open Lah.Experiments.Defaults
open Lah.Hashing.Config

let variants =
    [
        for emb, embName in
            [
                WordEmbedding.Glove, "GloVe"
                WordEmbedding.GoogleNews, "GoogleNews"
                WordEmbedding.FastText, "FastText"
            ] do
            for fusion, fusionName in [ FusionKind.Mfb, "MFB"; FusionKind.DotProduct, "DP" ] ->
                $"{embName} + {fusionName}", (emb, fusion), (withEmbedding emb >> withFusion fusion)
        yield "neither", (WordEmbedding.None, FusionKind.None), asDch
    ]

let target (profile: Profile) (weights: string option) =
    let cells =
        [
            for dataset in Profiles.datasets do
                let b = Profiles.baseFor profile weights dataset

                for label, _, change in variants do
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
                Id = "table2"
                Title = "Table 2 — word embedding × fusion, MAP within Hamming radius 2"
                Cells = cells
                Published = Published.table2 |> List.map snd
            }
    )
