module Lah.Retrieval.Tests.Assertions

open Expecto

/// Runs f and returns the exception it throws, which must be exactly of type 'e (as xunit's Assert.Throws).
let throws<'e when 'e :> exn> (f: unit -> unit) : 'e =
    let thrown =
        try
            f ()
            None
        with e ->
            Some e

    match thrown with
    | Some(:? 'e as e) when e.GetType() = typeof<'e> -> e
    | Some e -> failtestf "expected %s, got %s: %s" typeof<'e>.Name (e.GetType().Name) e.Message
    | None -> failtestf "expected %s, nothing was thrown" typeof<'e>.Name

/// FsCheck settings of the properties: a fixed number of random cases per property.
let fsConfig maxTest =
    { FsCheckConfig.defaultConfig with
        maxTest = maxTest
    }
