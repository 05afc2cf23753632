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
    | K of count: int
    | Radius of distance: int
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Index _ -> "the codes to search: our index file (.lahidx) or a FAISS binary index file (IndexBinaryFlat)."
            | Code _ -> "one query code as hex, its bytes in storage order (FAISS's order too)."
            | Queries _ -> "a file of query codes (either format)."
            | K _ -> "the k nearest codes (default 10)."
            | Radius _ -> "every code within this Hamming distance instead of the k nearest."
            | Json -> "print JSON instead of a table."

type WeightsArgs =
    | [<CliPrefix(CliPrefix.None)>] Convert of input: string * output: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Convert _ -> "a PyTorch .pth state dict (torchvision / timm) or safetensors file → safetensors."

type LahArgs =
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Show of ParseResults<ShowArgs>
    | [<CliPrefix(CliPrefix.None)>] Query of ParseResults<QueryArgs>
    | [<CliPrefix(CliPrefix.None)>] Weights of ParseResults<WeightsArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Reproduce _ -> "run the experiment records behind a published table or figure and write its report."
            | Run _ -> "run experiments from YAML files and print their results."
            | Show _ -> "print an experiment file with its defaults and content hash."
            | Query _ -> "search an index file by a hex code or a file of query codes."
            | Weights _ -> "convert weights files."
