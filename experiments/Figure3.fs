/// Figure 3: classification mAP per epoch of LAH's feature extractor (MFB fusion with one value per label) against
/// ML-GCN's (the dot product of the image feature with the GCN label embeddings), under the same settings.
module Lah.Experiments.Catalog.Figure3

open Lah.Experiments
open Lah.Experiments.Defaults

let private classifier fusion (e: Experiment) =
    let h =
        match e.Head with
        | Lah h
        | Classifier h -> h
        | DchHead
        | Lsh
        | RandomCodes
        | Collapsed -> lahHead

    { e with
        Head =
            Classifier(
                h
                |> Options.set <@ fun h -> h.Fusion @> fusion
                |> Options.set <@ fun h -> h.PoolingStride @> h.JointDim
            )
        Loss = ClassificationLoss
        Evaluation =
            { e.Evaluation with
                Protocols = [ ClassificationMap ]
                EachEpoch = true
            }
    }

let target (profile: Profile) (weights: string option) =
    Convergence
        {
            Id = "figure3"
            Title = "Figure 3 — classification mAP per epoch: LAH's feature extractor against ML-GCN"
            Series =
                [
                    for dataset in [ Voc2007; Coco2014 ] do
                        let b = Profiles.baseFor profile weights dataset |> withBits 48

                        for label, fusion in
                            [
                                "LAH (MFB)", Lah.Hashing.Config.FusionKind.Mfb
                                "ML-GCN (dot product)", Lah.Hashing.Config.FusionKind.DotProduct
                            ] ->
                            {
                                Label = label
                                Dataset = dataset
                                Experiment = classifier fusion b |> withName label
                            }
                ]
        }
