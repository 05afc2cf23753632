module Lah.Retrieval.Tests.Goldens

open System
open System.IO
open Lah.Torch.Serialization

/// The golden folders in search order: LAH_GOLDENS_DIR, the repository's data/goldens (the small lah_* and
/// metrics_* cases ship there), then ../shared/goldens beside the repository (the folder holding LAH.sln);
/// as Lah.Data.DataPaths.GoldensRoots, which this project does not reference.
let dirs () =
    let rec up (d: DirectoryInfo | null) =
        match d with
        | null -> failwith "LAH.sln not found above the test directory"
        | d when File.Exists(Path.Combine(d.FullName, "LAH.sln")) -> d.FullName
        | d -> up d.Parent

    let repo = up (DirectoryInfo AppContext.BaseDirectory)

    let env =
        match Environment.GetEnvironmentVariable "LAH_GOLDENS_DIR" with
        | null
        | "" -> []
        | d when Directory.Exists d -> [ d ]
        | d -> failwithf "LAH_GOLDENS_DIR=%s: no such folder" d

    env
    @ [
        Path.Combine(repo, "data", "goldens")
        Path.GetFullPath(Path.Combine(repo, "..", "shared", "goldens"))
    ]

/// Every golden file whose name starts with the prefix, from the first folder holding one; fails when there is none.
let files (prefix: string) =
    let ds = dirs ()

    let found =
        ds
        |> List.filter Directory.Exists
        |> List.map (fun d -> Directory.GetFiles(d, prefix + "*.safetensors") |> Array.sort)
        |> List.tryFind (fun f -> f.Length > 0)

    match found with
    | Some f -> f
    | None -> failwithf "no %s*.safetensors golden case in %s" prefix (String.Join(", ", ds))

let rows (f: SafeTensorsFile) name = int f[name].Shape[0]
let cols (f: SafeTensorsFile) name = int f[name].Shape[1]
