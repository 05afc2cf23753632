/// Changed copies of the libraries' C# option records (HashLossConfig, LahHeadOptions, …), which F#'s `with` cannot
/// copy: `loss |> Options.set <@ fun c -> c.Lambda @> 0.5` is checked by the compiler like a record update.
module Lah.Experiments.Options

open System.Reflection
open Microsoft.FSharp.Quotations
open Microsoft.FSharp.Quotations.Patterns

/// A copy of `record` with one property set; `property` must be `<@ fun x -> x.Property @>`.
let set (property: Expr<'T -> 'V>) (value: 'V) (record: 'T) : 'T =
    let info =
        match property with
        | Lambda(_, PropertyGet(Some _, p, [])) -> p
        | _ -> invalidArg "property" $"expected <@ fun x -> x.Property @>, got {property}"

    // C# records copy themselves through the compiler-generated clone method that their `with` uses.
    let clone =
        match typeof<'T>.GetMethod("<Clone>$", BindingFlags.Public ||| BindingFlags.Instance) with
        | null -> invalidArg "record" $"{typeof<'T>.Name} is not a C# record"
        | m -> m.Invoke(box record, [||]) :?> 'T

    info.SetValue(box clone, box value)
    clone
