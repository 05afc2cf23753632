/// Experiments as plain immutable values: every choice that changes a result is a field here, with its default
/// stated once (`Experiment.Default`). The runner interprets these records; nothing here does any work.
namespace Lah.Experiments

open System

/// A record field (or the file path inside one) that does not change results: left out of the content hash.
[<AttributeUsage(AttributeTargets.Property)>]
type NotHashedAttribute() =
    inherit Attribute()

/// The three list files of a custom dataset's given split (`Lah.Data.CustomLists`).
type CustomListFiles =
    {
        [<NotHashed>]
        Train: string
        [<NotHashed>]
        Database: string
        [<NotHashed>]
        Query: string
    }

/// A user's own labelled images, read by `Lah.Data.CustomDataset` (src/Lah.Data/README.md, "Custom datasets"). Either
/// `Lists` (all three) or `Pool` is set; a pool is split DCH-style with `data.query` queries, `data.train` training
/// images and the record's seed. Relative paths are taken from the current directory. No field is hashed: the run
/// key holds the dataset's fingerprint instead (labels, item ids, split, vectors), so a moved folder keeps its runs
/// and a changed label does not.
type CustomData =
    {
        /// The folder the listed image paths are relative to.
        [<NotHashed>]
        Root: string
        /// labels.txt: one label name per line, in the lists' column order.
        [<NotHashed>]
        Labels: string
        [<NotHashed>]
        Lists: CustomListFiles
        /// One list split DCH-style ("" = the lists are given).
        [<NotHashed>]
        Pool: string
        /// Word vectors for LAH's graph (word2vec / GloVe / fastText text, `.gz` too); "" = none.
        [<NotHashed>]
        Vectors: string
        /// A leading folder dropped from every listed path ("" = none).
        [<NotHashed>]
        StripPrefix: string
        /// Queries may also be training or database images (only where the protocol says so).
        [<NotHashed>]
        AllowOverlap: bool
        /// A title for reports ("" = the labels file's folder name).
        [<NotHashed>]
        Name: string
    }

type DatasetName =
    | Voc2007
    | Coco2014
    | Mirflickr25k
    /// A user's own labelled images (source `official` only).
    | Custom of CustomData

type DataSource =
    /// Scenes rendered from the dataset's real label rows (shipped in the repository): no download needed.
    | Embedded
    /// The dataset's images in its official layout under `Data.Root` (VOCdevkit, COCO 2014, MIRFLICKR-25K).
    | Official

type SplitProtocol =
    /// DCH: a seeded query set, the rest is the database, the training images are drawn from the database.
    | DchSplit
    /// The official LAH code: its train / test lists; the test set is searched leave-one-out.
    | LahOfficialSplit
    /// A protocol of `Lah.Data.SplitNames` by name (source `official` only), e.g. `dch-full` or `lah-official-full`
    /// on the full-size COCO 2014 pool read from ROOT/coco2014/annotations; random ones take their published counts.
    | NamedSplit of name: string

type Data =
    {
        Dataset: DatasetName
        Source: DataSource
        /// Dataset root for `Official` (VOCdevkit/COCO/MIRFLICKR folders); not part of the hash.
        [<NotHashed>]
        Root: string
        /// A folder of LAH label files to use instead of the shipped ones ("" = shipped); not part of the hash.
        [<NotHashed>]
        LabelDir: string
        Split: SplitProtocol
        /// Images taken from the label rows (embedded) or the pool size cap (0 = the whole pool).
        Pool: int
        Train: int
        Query: int
        /// Side of the rendered scenes (embedded only).
        SceneSize: int
        /// Difficulty of the rendered scenes (embedded only).
        Scenes: Lah.Data.SceneDifficulty
        /// Draw the label rows at random (seeded) instead of taking the first ones (files sorted by class).
        SampleRows: bool
    }

type Optimizer =
    | Sgd of momentum: float
    | Adam
    | AdamW

type Schedule =
    | Constant
    | Step of every: int * gamma: float
    | MultiStep of milestones: int list * gamma: float
    | Cosine

/// Multi-label classification pre-training of the backbone on the training split (no ImageNet weights here).
type Pretraining =
    {
        Epochs: int
        BatchSize: int
        Optimizer: Optimizer
        LearningRate: float
        WeightDecay: float
        Schedule: Schedule
    }

type Weights =
    /// Random initialisation (only sensible end to end).
    | RandomInit
    /// Classification pre-training on the training split, cached by content hash.
    | Pretrained of Pretraining
    /// A weights file the user supplies (`Backbone.WeightsFile`); its content is hashed, its path is not.
    | WeightsFile

type Backbone =
    {
        /// Registry name (`small-cnn`, `resnet101`, …).
        Arch: string
        /// Channel widths of `smallcnn` (ignored by the ResNets).
        Widths: int list
        Pooling: Lah.Vision.GlobalPooling
        InputSize: int
        Weights: Weights
        [<NotHashed>]
        WeightsFile: string
    }

type Head =
    /// LAH: GCN label embeddings fused with the image feature, then the hash layer.
    | Lah of Lah.Hashing.Config.LahHeadOptions
    /// DCH: the hash layer on the image feature alone.
    | DchHead
    /// Sanity row: sign of a seeded Gaussian projection of the same features (no training).
    | Lsh
    /// Sanity row: seeded random codes (no training).
    | RandomCodes
    /// Sanity row: every code equal; every ball holds the whole database, MAP = share of relevant pairs.
    | Collapsed
    /// Classification on the fused features (Figure 3): LAH's extractor (MFB) or ML-GCN's (dot product).
    | Classifier of Lah.Hashing.Config.LahHeadOptions

type Loss =
    /// The pairwise Cauchy cross-entropy + quantization (DCH, LAH), every official/paper option.
    | Cauchy of Lah.Hashing.Config.HashLossConfig
    /// Hash centers per label, pulled toward globally and aligned locally (ICANN 2023, reconstructed).
    | Hybrid of Lah.Hashing.Losses.HybridLossOptions
    /// CSQ: BCE to the sign of the summed label centers (centers seeded by the experiment's seed), + λ quantization.
    | Csq of lambda: float
    /// HashNet: weighted pairwise cross-entropy with continuation.
    | HashNet of Lah.Hashing.Losses.HashNetOptions
    /// DPSH: pairwise likelihood on ½uᵢᵀuⱼ, + η quantization.
    | Dpsh of eta: float
    /// Multi-label soft margin on the classifier's scores (ML-GCN's criterion).
    | ClassificationLoss
    /// Nothing to train (the sanity rows).
    | NoLoss

type TrainingMode =
    /// Heads on cached features of a frozen backbone.
    | FeatureMode
    /// Backbone and head together.
    | EndToEnd

type Training =
    {
        Mode: TrainingMode
        Optimizer: Optimizer
        LearningRate: float
        /// Learning rate per parameter group (`gcn`, `fusion`, `hash`); others use `LearningRate`.
        GroupRates: Map<string, float>
        /// End to end: the backbone's learning rate is LearningRate × this (the official `lrp`).
        BackboneLrMultiplier: float
        WeightDecay: float
        ClipNorm: float
        Schedule: Schedule
        Epochs: int
        BatchSize: int
    }

type Protocol =
    /// MAP, P and R within the Hamming radius, queries against the database (DCH).
    | DchProtocol
    /// The official LAH code's leave-one-out evaluation of the test set (mAP1, mAP2, P, R).
    | LahOfficialProtocol
    /// mAP over the top K of the whole database ranked by Hamming distance.
    | TopK of k: int
    /// Classification mAP (×100) of the classifier's scores on the query set.
    | ClassificationMap

type Evaluation =
    {
        Protocols: Protocol list
        Radius: int
        Selection: Lah.Training.EpochSelection
        ValidationFraction: float
        /// Evaluate the test queries after every epoch (Figure 3's curves).
        EachEpoch: bool
    }

type Experiment =
    {
        /// A label for people; the content hash ignores it.
        [<NotHashed>]
        Name: string
        Data: Data
        Backbone: Backbone
        Head: Head
        Bits: int
        Loss: Loss
        Training: Training
        Evaluation: Evaluation
        Seed: int
    }
