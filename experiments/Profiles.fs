/// The two profiles every target is built in: `quick` (the embedded default, minutes on a CPU) and `paper` (the
/// paper's settings on the real datasets, end to end).
module Lah.Experiments.Catalog.Profiles

open Lah.Experiments
open Lah.Experiments.Defaults

let datasets = [ Voc2007; Coco2014; Mirflickr25k ]
let bits = [ 16; 32; 48; 64; 128 ]

/// The paper's settings: ResNet-101 at 448 with global max pooling, GloVe + MFB, 20 epochs end to end, SGD as the
/// official demos (lr 0.01 for the head, lrp 0.1, batch 32, decay at epoch 30 which 20 epochs never reach).
let paper (root: string) (weights: string option) (dataset: DatasetName) =
    { experiment with
        Name = "lah"
        Data =
            {
                Dataset = dataset
                Source = Official
                Root = root
                LabelDir = ""
                Split = LahOfficialSplit
                Pool = 0
                Train = 1
                Query = 1
                SceneSize = 448
                Scenes = Lah.Data.SceneDifficulty.Default
                SampleRows = false
            }
        Backbone =
            {
                Arch = "resnet101"
                Widths = []
                Pooling = Lah.Vision.GlobalPooling.Max
                InputSize = 448
                Weights =
                    match weights with
                    | Some _ -> WeightsFile
                    | None -> RandomInit
                WeightsFile = defaultArg weights ""
            }
        Head = Lah lahHead
        Loss = Cauchy(quickLoss 48 |> Options.set <@ fun c -> c.Lambda @> 0.55)
        Training =
            { featureTrainingFor dataset with
                Mode = EndToEnd
                Optimizer = Sgd 0.9
                LearningRate = 0.01
                Schedule = MultiStep([ 30 ], 0.1)
                Epochs = 20
                BatchSize = 32
            }
        Evaluation =
            { evaluation with
                Protocols = [ DchProtocol; LahOfficialProtocol ]
            }
    }

/// The base experiment of a profile for one dataset.
let baseFor (profile: Profile) (weights: string option) (dataset: DatasetName) =
    match profile with
    | Quick ->
        let e = quick dataset 48

        match weights with
        | Some w ->
            { e with
                Backbone =
                    { e.Backbone with
                        Weights = WeightsFile
                        WeightsFile = w
                    }
            }
        | None -> e
    | Paper root -> paper root weights dataset
