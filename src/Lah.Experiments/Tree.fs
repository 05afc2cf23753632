/// One generic view of the records: a tree of scalars, sequences and mappings, built by reflection. YAML reads and
/// writes it, and the content hash is taken over it, so a new field needs no change to either.
module Lah.Experiments.Tree

// Reflection over records and the JSON DOM hand out nullable values; missing ones are checked where they are read.
#nowarn "3261"

open System
open System.Collections.Generic
open System.Globalization
open System.Reflection
open System.Security.Cryptography
open System.Text
open Microsoft.FSharp.Reflection

type Node =
    | Scalar of string
    | Sequence of Node list
    | Mapping of (string * Node) list

/// Where a node came from (a YAML line), for error messages; 0 when unknown.
type Located = { Node: LocNode; Line: int }

and LocNode =
    | LScalar of string
    | LSequence of Located list
    | LMapping of (string * Located) list

/// A field that could not be read: its dotted path, the line, and what was expected.
exception FieldError of path: string * line: int * message: string

/// `LearningRate` → `learning-rate`: the spelling of fields and union cases in YAML.
let kebab (name: string) =
    let sb = StringBuilder()

    name
    |> Seq.iteri (fun i c ->
        if Char.IsUpper c && i > 0 && not (Char.IsUpper name[i - 1]) then
            sb.Append('-') |> ignore

        sb.Append(Char.ToLowerInvariant c) |> ignore)

    sb.ToString()

let private hashed (p: PropertyInfo) =
    p.GetCustomAttributes(typeof<NotHashedAttribute>, true).Length = 0

let private isOption (t: Type) =
    t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<option<_>>

let private isList (t: Type) =
    t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<list<_>>

let private isMap (t: Type) =
    t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<Map<_, _>>

/// A .NET enum value's spelling: its [EnumMember] value where it has one (the libraries state the record spelling
/// beside each member), else the kebab-case of its name.
let enumName (t: Type) (value: obj) =
    let name = Enum.GetName(t, value)

    match name with
    | null -> invalidArg "value" $"{value} is not a member of {t.Name}"
    | n ->
        match t.GetField(n).GetCustomAttribute<Runtime.Serialization.EnumMemberAttribute>() with
        | null -> kebab n
        | a when not (String.IsNullOrEmpty a.Value) -> a.Value
        | _ -> kebab n

let private enumNames (t: Type) =
    Enum.GetValues t |> Seq.cast<obj> |> Seq.map (enumName t) |> List.ofSeq

/// A C# options record (the libraries' settings: a public parameterless constructor and init-only properties): its
/// settable public properties in declaration order.
let private isOptionsRecord (t: Type) =
    t.IsClass
    && not (FSharpType.IsRecord t)
    && not (FSharpType.IsUnion t)
    && t <> typeof<string>
    && not (isNull (t.GetConstructor Type.EmptyTypes))

let private settable (t: Type) =
    t.GetProperties(BindingFlags.Public ||| BindingFlags.Instance)
    |> Array.filter (fun p -> p.CanWrite && not (isNull (p.GetSetMethod())) && p.GetIndexParameters().Length = 0)
    |> Array.sortBy (fun p -> p.MetadataToken)

let private formatFloat (v: float) =
    if Double.IsPositiveInfinity v then ".inf"
    elif Double.IsNegativeInfinity v then "-.inf"
    elif Double.IsNaN v then ".nan"
    else v.ToString("R", CultureInfo.InvariantCulture)

/// The tree of a value; with `forHash`, fields marked [<NotHashed>] are left out.
let rec encodeWith (forHash: bool) (t: Type) (value: obj) : Node =
    if t = typeof<string> then
        Scalar(string value)
    elif t = typeof<int> then
        Scalar((value :?> int).ToString(CultureInfo.InvariantCulture))
    elif t = typeof<float> then
        Scalar(formatFloat (value :?> float))
    elif t = typeof<bool> then
        Scalar(if value :?> bool then "true" else "false")
    elif isList t then
        let et = t.GetGenericArguments()[0]
        Sequence [ for v in (value :?> Collections.IEnumerable) -> encodeWith forHash et v ]
    elif isMap t then
        let vt = t.GetGenericArguments()[1]

        Mapping
            [
                for kv in (value :?> Collections.IEnumerable) do
                    let kvt = kv.GetType()
                    let k = string (kvt.GetProperty("Key").GetValue kv)
                    k, encodeWith forHash vt (kvt.GetProperty("Value").GetValue kv)
            ]
    elif t.IsEnum then
        Scalar(enumName t value)
    elif FSharpType.IsRecord t then
        Mapping
            [
                for p in FSharpType.GetRecordFields t do
                    if not forHash || hashed p then
                        kebab p.Name, encodeWith forHash p.PropertyType (p.GetValue value)
            ]
    elif isOptionsRecord t then
        Mapping [ for p in settable t -> kebab p.Name, encodeWith forHash p.PropertyType (p.GetValue value) ]
    elif FSharpType.IsUnion t then
        let case, fields = FSharpValue.GetUnionFields(value, t)
        let ps = case.GetFields()

        match ps with
        | [||] -> Scalar(kebab case.Name)
        | [| p |] -> Mapping [ kebab case.Name, encodeWith forHash p.PropertyType fields[0] ]
        | _ ->
            Mapping
                [
                    kebab case.Name,
                    Mapping
                        [
                            for p, v in Array.zip ps fields -> kebab p.Name, encodeWith forHash p.PropertyType v
                        ]
                ]
    else
        invalidArg "t" $"Tree: no encoding for {t.FullName}"

let encode<'T> (value: 'T) = encodeWith false typeof<'T> (box value)

/// Canonical text of a tree: one line per scalar, keys in declaration order (records) or sorted (maps).
let rec private canonical (sb: StringBuilder) (prefix: string) (node: Node) =
    match node with
    | Scalar s -> sb.Append(prefix).Append('=').Append(s).Append('\n') |> ignore
    | Sequence items ->
        sb.Append(prefix).Append("=[").Append(items.Length).Append("]\n") |> ignore
        items |> List.iteri (fun i n -> canonical sb $"{prefix}[{i}]" n)
    | Mapping fields ->
        for k, n in fields do
            canonical sb (if prefix = "" then k else prefix + "." + k) n

/// Stable content hash (16 hex digits of SHA-256) of every hashed field; `extra` adds outside facts (a weights file's digest).
let contentHash<'T> (value: 'T) (extra: string) =
    let sb = StringBuilder()
    canonical sb "" (encodeWith true typeof<'T> (box value))
    sb.Append("extra=").Append(extra) |> ignore
    let bytes = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()))
    Convert.ToHexString(bytes, 0, 8).ToLowerInvariant()

let private describe (t: Type) =
    if t = typeof<int> then "an integer"
    elif t = typeof<float> then "a number"
    elif t = typeof<bool> then "true or false"
    elif t = typeof<string> then "a string"
    elif isList t then "a list"
    elif t.IsEnum then "one of " + String.concat ", " (enumNames t)
    elif isMap t || FSharpType.IsRecord t || isOptionsRecord t then "a mapping"
    else "a value"

let private shape (n: LocNode) =
    match n with
    | LScalar s -> $"'{s}'"
    | LSequence _ -> "a list"
    | LMapping _ -> "a mapping"

let private caseNames (t: Type) =
    FSharpType.GetUnionCases t
    |> Array.map (fun c ->
        if c.GetFields().Length = 0 then
            kebab c.Name
        else
            $"{{{kebab c.Name}: …}}")
    |> String.concat ", "

/// A value of type `t` from a located tree. A record's missing fields keep `fallback`'s (or the type's default
/// record's, when the union case changes); an unknown field, a wrong type or a bad case name is a FieldError.
let rec decodeWith (defaults: Type -> obj option) (path: string) (t: Type) (fallback: obj option) (loc: Located) : obj =
    let fail msg = raise (FieldError(path, loc.Line, msg))
    let at (k: string) = if path = "" then k else path + "." + k

    let scalar () =
        match loc.Node with
        | LScalar s -> s
        | other -> fail $"expected {describe t}, got {shape other}"

    if t = typeof<string> then
        box (scalar ())
    elif t = typeof<int> then
        let s = scalar ()

        match Int32.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture) with
        | true, v -> box v
        | _ -> fail $"expected an integer, got '{s}'"
    elif t = typeof<float> then
        let s = scalar ()

        match s with
        | ".inf" -> box Double.PositiveInfinity
        | "-.inf" -> box Double.NegativeInfinity
        | ".nan" -> box Double.NaN
        | _ ->
            match Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, v -> box v
            | _ -> fail $"expected a number, got '{s}'"
    elif t = typeof<bool> then
        match scalar () with
        | "true" -> box true
        | "false" -> box false
        | s -> fail $"expected true or false, got '{s}'"
    elif isList t then
        let et = t.GetGenericArguments()[0]

        match loc.Node with
        | LSequence items ->
            let values =
                items |> List.mapi (fun i n -> decodeWith defaults $"{path}[{i}]" et None n)

            let empty = t.GetProperty("Empty").GetValue null
            let cons = t.GetMethod "Cons"
            List.foldBack (fun v acc -> cons.Invoke(null, [| v; acc |])) values empty
        | other -> fail $"expected a list, got {shape other}"
    elif isMap t then
        let vt = t.GetGenericArguments()[1]

        match loc.Node with
        | LMapping fields ->
            let tupleType = FSharpType.MakeTupleType [| typeof<string>; vt |]

            let tuples =
                fields
                |> List.map (fun (k, n) ->
                    FSharpValue.MakeTuple([| box k; decodeWith defaults (at k) vt None n |], tupleType))

            let arr = Array.CreateInstance(tupleType, tuples.Length)
            tuples |> List.iteri (fun i v -> arr.SetValue(v, i))
            Activator.CreateInstance(t, [| box arr |])
        | other -> fail $"expected a mapping, got {shape other}"
    elif t.IsEnum then
        let s = scalar ()

        match Enum.GetValues t |> Seq.cast<obj> |> Seq.tryFind (fun v -> enumName t v = s) with
        | Some v -> v
        | None -> fail $"""expected one of {enumNames t |> String.concat ", "}, got '{s}'"""
    elif isOptionsRecord t then
        match loc.Node with
        | LMapping fields ->
            let props = settable t
            let known = props |> Array.map (fun p -> kebab p.Name)

            for k, n in fields do
                if not (Array.contains k known) then
                    raise (FieldError(at k, n.Line, $"""unknown field (expected one of: {String.concat ", " known})"""))

            // Missing fields keep the fallback's values, else the type's default record, else the library's defaults.
            let baseline =
                fallback
                |> Option.orElse (defaults t)
                |> Option.defaultWith (fun () -> Activator.CreateInstance t)

            let value = Activator.CreateInstance t

            for p in props do
                let k = kebab p.Name

                let v =
                    match fields |> List.tryFind (fun (name, _) -> name = k) with
                    | Some(_, n) -> decodeWith defaults (at k) p.PropertyType (Some(p.GetValue baseline)) n
                    | None -> p.GetValue baseline

                p.SetValue(value, v)

            value
        | other -> fail $"expected a mapping, got {shape other}"
    elif FSharpType.IsRecord t then
        match loc.Node with
        | LMapping fields ->
            let props = FSharpType.GetRecordFields t
            let known = props |> Array.map (fun p -> kebab p.Name) |> Set.ofArray

            for k, n in fields do
                if not (known.Contains k) then
                    raise (
                        FieldError(
                            at k,
                            n.Line,
                            $"""unknown field (expected one of: {props |> Array.map (fun p -> kebab p.Name) |> String.concat ", "})"""
                        )
                    )

            let baseline = fallback |> Option.orElse (defaults t)

            let values =
                props
                |> Array.map (fun p ->
                    let k = kebab p.Name
                    let old = baseline |> Option.map (fun b -> p.GetValue b)

                    match fields |> List.tryFind (fun (name, _) -> name = k) with
                    | Some(_, n) -> decodeWith defaults (at k) p.PropertyType old n
                    | None ->
                        match old with
                        | Some v -> v
                        | None -> fail $"missing field '{k}'")

            FSharpValue.MakeRecord(t, values)
        | other -> fail $"expected a mapping, got {shape other}"
    elif FSharpType.IsUnion t then
        let cases = FSharpType.GetUnionCases t

        let find (name: string) =
            match cases |> Array.tryFind (fun c -> kebab c.Name = name) with
            | Some c -> c
            | None -> fail $"expected one of {caseNames t}, got '{name}'"

        // Fields of the same case in the fallback are the baseline for a partial mapping.
        let sameCase (c: UnionCaseInfo) =
            fallback
            |> Option.bind (fun f ->
                let fc, fv = FSharpValue.GetUnionFields(f, t)
                if fc.Tag = c.Tag then Some fv else None)

        match loc.Node with
        | LScalar s ->
            let c = find s

            if c.GetFields().Length = 0 then
                FSharpValue.MakeUnion(c, [||])
            else
                match sameCase c with
                | Some fv -> FSharpValue.MakeUnion(c, fv)
                | None -> fail $"'{s}' needs its fields: write {{{s}: …}}"
        | LMapping [ name, inner ] ->
            let c = find name
            let ps = c.GetFields()
            let old = sameCase c
            let casePath = at name

            match ps with
            | [||] -> fail $"'{name}' takes no fields: write it as a plain value"
            | [| p |] ->
                let v =
                    decodeWith defaults casePath p.PropertyType (old |> Option.map (fun fv -> fv[0])) inner

                FSharpValue.MakeUnion(c, [| v |])
            | _ ->
                match inner.Node with
                | LMapping fields ->
                    let known = ps |> Array.map (fun p -> kebab p.Name)

                    for k, n in fields do
                        if not (Array.contains k known) then
                            raise (
                                FieldError(
                                    casePath + "." + k,
                                    n.Line,
                                    $"""unknown field (expected one of: {String.concat ", " known})"""
                                )
                            )

                    let values =
                        ps
                        |> Array.mapi (fun i p ->
                            let k = kebab p.Name

                            match fields |> List.tryFind (fun (n, _) -> n = k) with
                            | Some(_, n) ->
                                decodeWith
                                    defaults
                                    (casePath + "." + k)
                                    p.PropertyType
                                    (old |> Option.map (fun fv -> fv[i]))
                                    n
                            | None ->
                                match old with
                                | Some fv -> fv[i]
                                | None -> raise (FieldError(casePath, inner.Line, $"missing field '{k}'")))

                    FSharpValue.MakeUnion(c, values)
                | other -> raise (FieldError(casePath, inner.Line, $"expected a mapping, got {shape other}"))
        | other -> fail $"expected one of {caseNames t}, got {shape other}"
    else
        fail $"no decoding for {t.FullName}"

/// Strips locations (for tests and for trees built in code).
let rec locate (n: Node) : Located =
    match n with
    | Scalar s -> { Node = LScalar s; Line = 0 }
    | Sequence items ->
        {
            Node = LSequence(List.map locate items)
            Line = 0
        }
    | Mapping fields ->
        {
            Node = LMapping(fields |> List.map (fun (k, v) -> k, locate v))
            Line = 0
        }

/// Index of a record type's default value, for decoding partial mappings.
let defaultsOf (values: obj list) : Type -> obj option =
    let d = Dictionary<Type, obj>()

    for v in values do
        d[v.GetType()] <- v

    fun t ->
        match d.TryGetValue t with
        | true, v -> Some v
        | _ -> None
