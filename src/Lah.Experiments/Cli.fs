/// The `lah` command line as Argu unions: every case documents itself through `Usage`.
module Lah.Experiments.Cli

open Argu

type ProfileName =
    | Quick
    | Paper

type ReproduceArgs =
    | [<MainCommand; Mandatory>] Target of target: string
    | Profile of ProfileName
    | Data of root: string
    | Weights of file: string
    | Device of device: string
    | Threads of count: int
    | Force
    | Results of dir: string
    | Report_Only
    | Nproc of count: int
    | Rank of rank: int
    | World_Size of count: int
    | Master_Addr of address: string
    | Master_Port of port: int
    | Dist_Timeout of seconds: int

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Target _ -> "what to reproduce: table1, table2 or figure3."
            | Profile _ ->
                "quick (the embedded default, when no --data is given) or paper (the paper's settings, needs --data)."
            | Data _ ->
                "folder holding the datasets in their official layouts (VOCdevkit/VOC2007, COCO 2014, MIRFLICKR-25K)."
            | Weights _ ->
                "backbone weights (safetensors, torchvision names) instead of pre-training; ImageNet ResNet-101 for the paper."
            | Device _ -> "cpu (default), cuda or cuda:N."
            | Threads _ -> "the process's thread budget for libtorch, loaders and metrics (default: all cores)."
            | Force -> "rerun every experiment even when its result is stored."
            | Results _ -> "results folder (default: results/ in the current directory)."
            | Report_Only -> "write the report from stored results without running anything."
            | Nproc _ ->
                "data-parallel training in N local worker processes (ranks 0..N-1 of this same command over Gloo)."
            | Rank _ ->
                "this machine's rank for a multi-machine launch (with --world-size, --master-addr, --master-port)."
            | World_Size _ -> "the number of ranks of a multi-machine launch."
            | Master_Addr _ -> "the address of rank 0's machine (default 127.0.0.1); the same on every rank."
            | Master_Port _ -> "the port rank 0 listens on for the rendezvous (default 29500); the same on every rank."
            | Dist_Timeout _ ->
                "seconds a rank waits for its peers at the rendezvous and in each collective (default 1800)."

type RunArgs =
    | [<MainCommand; Mandatory>] Files of file: string list
    | Device of device: string
    | Threads of count: int
    | Force
    | Results of dir: string
    | Nproc of count: int
    | Rank of rank: int
    | World_Size of count: int
    | Master_Addr of address: string
    | Master_Port of port: int
    | Dist_Timeout of seconds: int

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Files _ -> "experiment files (YAML; see experiments/example.yaml)."
            | Device _ -> "cpu (default), cuda or cuda:N."
            | Threads _ -> "the process's thread budget (default: all cores)."
            | Force -> "rerun even when the result is stored."
            | Results _ -> "results folder (default: results/)."
            | Nproc _ ->
                "data-parallel training in N local worker processes (ranks 0..N-1 of this same command over Gloo)."
            | Rank _ ->
                "this machine's rank for a multi-machine launch (with --world-size, --master-addr, --master-port)."
            | World_Size _ -> "the number of ranks of a multi-machine launch."
            | Master_Addr _ -> "the address of rank 0's machine (default 127.0.0.1); the same on every rank."
            | Master_Port _ -> "the port rank 0 listens on for the rendezvous (default 29500); the same on every rank."
            | Dist_Timeout _ ->
                "seconds a rank waits for its peers at the rendezvous and in each collective (default 1800)."

type ShowArgs =
    | [<MainCommand; Mandatory>] File of file: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | File _ -> "an experiment file: prints it with every default filled in, and its content hash."

type QueryArgs =
    | [<Mandatory>] Index of file: string
    | Code of hex: string
    | Queries of file: string
    | Image of file: string
    | Model of model: string
    | K of count: int
    | Radius of distance: int
    | Json
    | Device of device: string
    | Results of dir: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Index _ -> "the codes to search: our index file (.lahidx) or a FAISS binary index file (IndexBinaryFlat)."
            | Code _ -> "one query code as hex, its bytes in storage order (FAISS's order too)."
            | Queries _ -> "a file of query codes (either format)."
            | Image _ -> "an image file (JPEG, PNG, BMP, GIF, WebP) encoded with --model, then searched."
            | Model _ -> "with --image: a model file, a run folder or a run's hash (see lah encode --model)."
            | K _ -> "the k nearest codes (default 10)."
            | Radius _ -> "every code within this Hamming distance instead of the k nearest."
            | Json -> "print JSON instead of a table (labels and image paths included where the index has them)."
            | Device _ -> "with --image: cpu (default), cuda or cuda:N."
            | Results _ -> "results folder a run's hash is looked up in (default: results/)."

type EncodeArgs =
    | [<Mandatory>] Model of model: string
    | [<Mandatory>] Images of folder_or_list: string
    | [<Mandatory>] Out of file: string
    | Root of folder: string
    | Labels of file: string
    | Strip_Prefix of prefix: string
    | Batch of count: int
    | Resume
    | Feature_Cache of dir: string
    | No_Feature_Cache
    | Device of device: string
    | Threads of count: int
    | Results of dir: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Model _ ->
                "the trained network: a model file (model.safetensors), a run folder (results/runs/HASH) or a run's hash."
            | Images _ ->
                "a folder (every file below it, sorted by path) or a list file: one path per line, a LAH CSV (name,l1,…), "
                + "a HashNet-style list (path 0 1 …, names in labels.txt beside it or --labels) or a COCO-style instances "
                + "JSON; lists with labels store them in the index."
            | Out _ -> "the index file to write (.lahidx); image paths go to OUT.paths.tsv beside it."
            | Root _ -> "folder a list file's relative paths are taken from (default: the list file's folder)."
            | Labels _ ->
                "the label names (one per line) of a list's columns, instead of a labels.txt beside it: a custom dataset's labels file."
            | Strip_Prefix _ ->
                "a leading folder to drop from the listed paths before --root is prepended (lists released with absolute paths)."
            | Batch _ -> "images per batch and per resumable chunk (default 64)."
            | Resume ->
                "continue an interrupted encode from the chunks saved in OUT.partial/ (same model, images and --batch)."
            | Feature_Cache _ ->
                "where a feature-mode model's frozen backbone keeps each image's pooled features, keyed by the backbone's "
                + "tensors and input and by the image file's SHA-256, so another head on the same backbone reuses them "
                + "(default: RESULTS/cache/encode-features/). End-to-end models are never cached: their backbone is their own."
            | No_Feature_Cache -> "neither read nor write the feature cache."
            | Device _ -> "cpu (default), cuda or cuda:N."
            | Threads _ -> "the process's thread budget for libtorch and decoding (default: all cores)."
            | Results _ -> "results folder a run's hash is looked up in (default: results/)."

type EvalProtocol =
    | Dch
    | Lah_Official
    | Topk

type EvalArgs =
    | [<Mandatory>] Index of file: string
    | [<Mandatory>] Queries of file: string
    | Protocol of EvalProtocol
    | Radius of distance: int
    | Topk of count: int
    | Json
    | Threads of count: int

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Index _ -> "the database: an index file with labels (lah encode from a labelled list)."
            | Queries _ -> "the queries: an index file with labels."
            | Protocol _ ->
                "dch (MAP, P, R within the radius; default), lah-official (the official code's leave-one-out over the "
                + "queries alone) or topk (mAP over the top N of the database)."
            | Radius _ -> "Hamming radius of dch and lah-official (default 2)."
            | Topk _ -> "N of the topk protocol (default 100)."
            | Json -> "print JSON instead of a table."
            | Threads _ -> "threads for the metrics (default: all cores)."

type WeightsArgs =
    | [<CliPrefix(CliPrefix.None)>] Convert of input: string * output: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Convert _ -> "a PyTorch .pth state dict (torchvision / timm) or safetensors file → safetensors."

[<RequireQualifiedAccess>]
type RenderDataset =
    | Voc2007
    | Coco2014
    | Mirflickr25k
    | All

type RenderArgs =
    | [<Mandatory>] Dataset of RenderDataset
    | [<Mandatory>] Out of root: string
    | Size of px: int
    | Count of n: int
    | Seed of seed: int

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Dataset _ -> "voc2007, coco2014, mirflickr25k or all."
            | Out _ ->
                "the data root to write: ROOT/VOCdevkit/VOC2007, ROOT/coco2014, ROOT/mirflickr25k (each must be new or empty)."
            | Size _ -> "the side of the square images in pixels (default 32, the quick recipe's scenes)."
            | Count _ ->
                "the first N images of each part: VOC trainval and test, COCO train2014 and val2014, MIRFLICKR im1..imN "
                + "(default: the quick recipe's training and query counts; a count above a part's size renders it whole)."
            | Seed _ -> "the scenes' seed (default 1, the quick recipe's)."

type DataArgs =
    | [<CliPrefix(CliPrefix.None)>] Render of ParseResults<RenderArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Render _ ->
                "write the embedded scenes (the real label rows) as JPEG files in the official layouts, with their annotation files."

type LahArgs =
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Show of ParseResults<ShowArgs>
    | [<CliPrefix(CliPrefix.None)>] Encode of ParseResults<EncodeArgs>
    | [<CliPrefix(CliPrefix.None)>] Query of ParseResults<QueryArgs>
    | [<CliPrefix(CliPrefix.None)>] Eval of ParseResults<EvalArgs>
    | [<CliPrefix(CliPrefix.None)>] Weights of ParseResults<WeightsArgs>
    | [<CliPrefix(CliPrefix.None)>] Data of ParseResults<DataArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Reproduce _ -> "run the experiment records behind a published table or figure and write its report."
            | Run _ -> "run experiments from YAML files and print their results."
            | Show _ -> "print an experiment file with its defaults and content hash."
            | Encode _ -> "hash a folder or list of images with a trained model into an index file."
            | Query _ -> "search an index file by an image, a hex code or a file of query codes."
            | Eval _ -> "retrieval metrics of a query index file against a database index file (both with labels)."
            | Weights _ -> "convert weights files."
            | Data _ -> "rehearsal data: render the embedded scenes as the three datasets' downloads."
