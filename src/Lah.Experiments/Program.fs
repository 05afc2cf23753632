module Lah.Experiments.Program

open Argu
open Lah.Experiments.Cli

[<EntryPoint>]
let main argv =
    let parser =
        ArgumentParser.Create<LahArgs>(programName = "lah", errorHandler = ProcessExiter())

    let args = parser.ParseCommandLine argv

    match args.GetSubCommand() with
    | Reproduce r ->
        let target = r.GetResult Target
        // Never fake output: the experiment runner is a later issue.
        eprintfn "lah reproduce %s: not implemented yet (the Experiments issue has not landed)." target
        2
