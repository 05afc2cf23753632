/// The `lah` command line as an Argu union: every case documents itself through `Usage`.
module Lah.Experiments.Cli

open Argu

type ReproduceArgs =
    | [<MainCommand; Mandatory>] Target of target: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Target _ -> "what to reproduce: table1, table2 or figure3."

type LahArgs =
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Reproduce _ -> "run the experiment records behind a published table or figure."
