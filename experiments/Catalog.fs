/// The targets `reproduce` knows, by name.
module Lah.Experiments.Catalog.All

open Lah.Experiments

let names = [ "table1"; "table2"; "figure3" ]

let target (name: string) (profile: Profile) (weights: string option) =
    match name with
    | "table1" -> Table1.target profile weights
    | "table2" -> Table2.target profile weights
    | "figure3" -> Figure3.target profile weights
    | other -> invalidArg "target" $"""unknown target '{other}' (expected one of: {String.concat ", " names})"""
