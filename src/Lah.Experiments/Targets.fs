/// What `reproduce` can build: tables of retrieval cells and convergence figures, each a list of experiments.
namespace Lah.Experiments

/// quick: the embedded default (no download); paper: the paper's settings on the real datasets under `root`.
type Profile =
    | Quick
    | Paper of root: string

type Cell =
    {
        Row: string
        Dataset: DatasetName
        Bits: int
        Experiment: Experiment
    }

type Series =
    {
        Label: string
        Dataset: DatasetName
        Experiment: Experiment
    }

/// A row of published numbers, printed apart from ours: (dataset, bits) → value.
type PublishedRow =
    {
        Label: string
        Source: string
        Values: Map<DatasetName * int, float>
    }

type TableSpec =
    {
        Id: string
        Title: string
        Cells: Cell list
        Published: PublishedRow list
    }

type FigureSpec =
    {
        Id: string
        Title: string
        Series: Series list
    }

type Target =
    | RetrievalTable of TableSpec
    | Convergence of FigureSpec

module Target =
    let experiments target =
        match target with
        | RetrievalTable t -> t.Cells |> List.map (fun c -> c.Experiment)
        | Convergence f -> f.Series |> List.map (fun s -> s.Experiment)

    let id target =
        match target with
        | RetrievalTable t -> t.Id
        | Convergence f -> f.Id

    let datasetTitle d =
        match d with
        | Voc2007 -> "VOC2007"
        | Coco2014 -> "MS-COCO"
        | Mirflickr25k -> "MIRFLICKR-25K"
        | Custom c -> CustomDatasets.title c

    /// Rows every retrieval table carries, per (dataset, bits) on the first row's features: a trained method that
    /// does not beat LSH and the collapsed value has not learned.
    let sanityRows (cells: Cell list) =
        let firsts = cells |> List.distinctBy (fun c -> c.Dataset, c.Bits)

        [
            for label, head in
                [
                    "LSH (sign of a random projection)", Lsh
                    "random codes", RandomCodes
                    "collapsed codes (all equal)", Collapsed
                ] do
                for c in firsts ->
                    {
                        Row = label
                        Dataset = c.Dataset
                        Bits = c.Bits
                        Experiment = Defaults.asSanity head c.Experiment |> Defaults.withName label
                    }
        ]

    let withSanityRows (t: TableSpec) =
        { t with
            Cells = t.Cells @ sanityRows t.Cells
        }
