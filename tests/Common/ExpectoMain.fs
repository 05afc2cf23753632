/// Entry point shared by the Expecto test projects (tests/*/ whose paket.references lists Expecto): link this file
/// last in the project and `build.fsx test` runs the project's executable like the xunit projects.
module Lah.Tests.ExpectoMain

open System
open Expecto

let gpuReason = "GPU test: run with --gpu (needs a CUDA libtorch via LIBTORCH)"

/// A test list is a GPU list when a word of its name is "gpu" (e.g. "gpu", "training [gpu]").
let isGpuLabel (label: string) =
    label.Split([| ' '; '['; ']'; '('; ')'; '/'; '.'; '-'; '_' |], StringSplitOptions.RemoveEmptyEntries)
    |> Array.exists (fun w -> w.Equals("gpu", StringComparison.OrdinalIgnoreCase))

/// Every test case under a GPU list becomes a skip with its reason, so the skip is reported, not silent.
let rec skipGpu (underGpu: bool) (test: Test) =
    match test with
    | TestCase(_, state) when underGpu -> TestCase(Sync(fun () -> skiptest gpuReason), state)
    | TestCase _ -> test
    | TestList(tests, state) -> TestList(tests |> List.map (skipGpu underGpu), state)
    // A test case's own name does not count (testCase "x" is a label around a case): only lists' names do.
    | TestLabel(label, (TestCase _ as t), state) -> TestLabel(label, skipGpu underGpu t, state)
    | TestLabel(label, t, state) -> TestLabel(label, skipGpu (underGpu || isGpuLabel label) t, state)
    | Test.Sequenced(how, t) -> Test.Sequenced(how, skipGpu underGpu t)

/// Keeps the test cases whose full name ("list.….case", as Expecto prints it) contains any of the fragments (ordinal,
/// case-sensitive).
let rec keepNamed (fragments: string list) (path: string) (test: Test) : Test option =
    match test with
    | TestCase _ when fragments |> List.exists (fun f -> path.Contains(f, StringComparison.Ordinal)) -> Some test
    | TestCase _ -> None
    | TestList(tests, state) ->
        match tests |> List.choose (keepNamed fragments path) with
        | [] -> None
        | kept -> Some(TestList(kept, state))
    | TestLabel(label, t, state) ->
        let p = if path = "" then label else path + "." + label
        keepNamed fragments p t |> Option.map (fun t -> TestLabel(label, t, state))
    | Test.Sequenced(how, t) -> keepNamed fragments path t |> Option.map (fun t -> Test.Sequenced(how, t))

/// `--gpu` runs the GPU lists; `--name-contains TEXT` (repeatable) keeps the tests whose full name contains one of
/// the fragments; everything else goes to Expecto (`--summary`, `--junit-summary FILE`, `--sequenced`, …).
let run (argv: string[]) =
    let rec split gpu names rest args =
        match args with
        | "--gpu" :: tail -> split true names rest tail
        | "--name-contains" :: fragment :: tail -> split gpu (fragment :: names) rest tail
        | a :: tail -> split gpu names (a :: rest) tail
        | [] -> gpu, List.rev names, List.rev rest |> List.toArray

    let gpu, names, expectoArgs = split false [] [] (List.ofArray argv)

    let tests =
        match Impl.testFromAssembly (nonNull (Reflection.Assembly.GetEntryAssembly())) with
        | Some t -> t
        | None -> failwith "no [<Tests>] value in this assembly"

    let tests = if gpu then tests else skipGpu false tests

    let tests =
        if names.IsEmpty then
            tests
        else
            keepNamed names "" tests |> Option.defaultValue (TestList([], Normal))

    runTestsWithCLIArgs [] expectoArgs tests
