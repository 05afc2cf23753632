/// Experiments as YAML: written from the generic tree, read with YamlDotNet's representation model (which keeps line
/// numbers), so an unknown field, a wrong type or a value out of range names the field, the file and the line.
module Lah.Experiments.Yaml

open System
open System.IO
open System.Text
open YamlDotNet.Core
open YamlDotNet.RepresentationModel
open Lah.Experiments.Tree

exception ExperimentFileError of file: string * line: int * field: string * message: string with
    override this.Message =
        let where =
            if this.line > 0 then
                $"{this.file}:{this.line}"
            else
                this.file

        let field = if this.field = "" then "" else $" field '{this.field}':"
        $"{where}:{field} {this.message}"

let private plain (s: string) =
    let isNumber =
        fst (Double.TryParse(s, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture))
        || List.contains s [ ".inf"; "-.inf"; ".nan" ]

    s <> ""
    && (Char.IsLetterOrDigit s[0] || isNumber)
    && s |> Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || "-_.+/".Contains c)
    && not (List.contains (s.ToLowerInvariant()) [ "null"; "yes"; "no"; "on"; "off"; "y"; "n" ])

/// Plain when safe, else double-quoted with escapes (single quotes would fold line breaks).
let private quote (s: string) =
    if plain s then
        s
    else
        let sb = StringBuilder("\"")

        for c in s do
            match c with
            | '"' -> sb.Append("\\\"") |> ignore
            | '\\' -> sb.Append("\\\\") |> ignore
            | c when
                Char.IsControl c
                || Char.IsSurrogate c
                || c = '\u0085'
                || c = '\u2028'
                || c = '\u2029'
                || c = '\uFEFF'
                ->
                sb.Append("\\u").Append((int c).ToString("X4")) |> ignore
            | c -> sb.Append c |> ignore

        sb.Append('"').ToString()

let rec private emit (sb: StringBuilder) (indent: int) (node: Node) =
    let pad = String(' ', indent)

    match node with
    | Scalar s -> sb.Append(quote s).Append('\n') |> ignore
    | Sequence [] -> sb.Append("[]\n") |> ignore
    | Mapping [] -> sb.Append("{}\n") |> ignore
    | Sequence items ->
        sb.Append('\n') |> ignore

        for item in items do
            sb.Append(pad).Append("- ") |> ignore

            match item with
            | Scalar _
            | Sequence []
            | Mapping [] -> emit sb (indent + 2) item
            | _ ->
                // A nested collection under a dash: its first line follows the dash, the rest align under it.
                let body = StringBuilder()
                emit body (indent + 2) item
                sb.Append(body.ToString().TrimStart('\n', ' ')) |> ignore
    | Mapping fields ->
        sb.Append('\n') |> ignore

        for k, v in fields do
            sb.Append(pad).Append(quote k).Append(':') |> ignore

            match v with
            | Scalar _
            | Sequence []
            | Mapping [] -> sb.Append(' ') |> ignore
            | _ -> ()

            emit sb (indent + 2) v

/// YAML text of a tree (block style, fields in declaration order).
let write (node: Node) =
    let sb = StringBuilder()
    emit sb 0 node
    sb.ToString().TrimStart('\n')

let rec private toLocated (n: YamlNode) : Located =
    let line = int n.Start.Line

    match n with
    | :? YamlScalarNode as s ->
        {
            Node = LScalar(s.Value |> Option.ofObj |> Option.defaultValue "")
            Line = line
        }
    | :? YamlSequenceNode as s ->
        {
            Node = LSequence [ for c in s.Children -> toLocated c ]
            Line = line
        }
    | :? YamlMappingNode as m ->
        {
            Node =
                LMapping
                    [
                        for kv in m.Children ->
                            let key =
                                match kv.Key with
                                | :? YamlScalarNode as k -> k.Value |> Option.ofObj |> Option.defaultValue ""
                                | k -> raise (FieldError("", int k.Start.Line, "a key must be a plain name"))

                            let v = toLocated kv.Value
                            // The value's line for scalars; the key's line for nested blocks reads better.
                            key,
                            { v with
                                Line = (if v.Line = 0 then int kv.Key.Start.Line else v.Line)
                            }
                    ]
            Line = line
        }
    | other -> raise (FieldError("", int other.Start.Line, "aliases are not supported"))

/// The located tree of a YAML document (one document expected).
let parse (file: string) (text: string) : Located =
    let stream = YamlStream()

    try
        stream.Load(new StringReader(text))
    with :? YamlException as e ->
        raise (ExperimentFileError(file, int e.Start.Line, "", $"not valid YAML: {e.Message}"))

    match List.ofSeq stream.Documents with
    | [ doc ] -> toLocated doc.RootNode
    | [] -> raise (ExperimentFileError(file, 0, "", "empty file: expected an experiment"))
    | _ -> raise (ExperimentFileError(file, 0, "", "expected one YAML document, found several"))

/// Line of a dotted field path in a located tree (for range errors found after decoding).
let lineOf (root: Located) (path: string) =
    let parts = path.Split('.', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray

    let rec go (loc: Located) parts =
        match parts, loc.Node with
        | [], _ -> loc.Line
        | p :: rest, LMapping fields ->
            match fields |> List.tryFind (fun (k, _) -> k = p) with
            | Some(_, n) -> go n rest
            | None ->
                // The field is inside a union case mapping ({lah: {...}}): look one level down.
                match fields with
                | [ _, inner ] -> go inner parts
                | _ -> loc.Line
        | _, _ -> loc.Line

    go root parts
