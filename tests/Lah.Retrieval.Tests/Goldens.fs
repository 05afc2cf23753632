module Lah.Retrieval.Tests.Goldens

open System
open System.IO
open Lah.Torch.Serialization

/// LAH_GOLDENS_DIR, else ../shared/goldens relative to the repository root (the folder holding LAH.sln).
let dir () =
    match Environment.GetEnvironmentVariable "LAH_GOLDENS_DIR" with
    | null
    | "" ->
        let rec up (d: DirectoryInfo | null) =
            match d with
            | null -> failwith "LAH.sln not found above the test directory"
            | d when File.Exists(Path.Combine(d.FullName, "LAH.sln")) -> d.FullName
            | d -> up d.Parent

        Path.GetFullPath(Path.Combine(up (DirectoryInfo AppContext.BaseDirectory), "..", "shared", "goldens"))
    | d -> d

/// Every golden file whose name starts with the prefix; fails when there is none.
let files (prefix: string) =
    let d = dir ()

    let found =
        if Directory.Exists d then
            Directory.GetFiles(d, prefix + "*.safetensors") |> Array.sort
        else
            [||]

    if found.Length = 0 then
        failwithf "no %s*.safetensors golden case in %s" prefix d

    found

let rows (f: SafeTensorsFile) name = int f[name].Shape[0]
let cols (f: SafeTensorsFile) name = int f[name].Shape[1]
