/// Shared helpers: temporary folders and small experiments.
module Lah.Experiments.Tests.Fixtures

open System
open System.IO
open Lah.Experiments

/// A fresh folder under the system temp folder, deleted on dispose.
type TempDir() =
    let path =
        Path.Combine(Path.GetTempPath(), "lah-exp-" + Guid.NewGuid().ToString("N"))

    do Directory.CreateDirectory path |> ignore
    member _.Path = path

    interface IDisposable with
        member _.Dispose() =
            try
                Directory.Delete(path, true)
            with _ ->
                ()

let baseExperiment = Defaults.experiment
