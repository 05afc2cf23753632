/// The shared Expecto entry point's GPU skipping and name filter (tests/Common/ExpectoMain.fs), tested here because
/// this project compiles it.
module Lah.Retrieval.Tests.ExpectoMainTests

open Expecto
open Lah.Tests

/// Every test case with its full name ("list.case").
let rec cases (path: string) (test: Test) =
    match test with
    | TestCase(code, _) -> [ path, code ]
    | TestList(tests, _) -> tests |> List.collect (cases path)
    | TestLabel(label, t, _) -> cases (if path = "" then label else path + "." + label) t
    | Test.Sequenced(_, t) -> cases path t

let runSync (code: TestCode) =
    match code with
    | Sync f -> f ()
    | other -> failtestf "expected a synchronous test, got %A" other

[<Tests>]
let tests =
    testList
        "ExpectoMain"
        [
            testCase "a list is a GPU list when a word of its name is gpu, in any case"
            <| fun () ->
                for name in [ "gpu"; "training [gpu]"; "GPU tests"; "cuda/gpu"; "gpu_tests" ] do
                    Expect.isTrue (ExpectoMain.isGpuLabel name) name

                for name in [ "gpus"; "cpu"; "debugging"; "gpgpu" ] do
                    Expect.isFalse (ExpectoMain.isGpuLabel name) name

            testCase "cases under a GPU list become skips with the reason, the others run as written"
            <| fun () ->
                let ran = ref 0

                let tree =
                    testList
                        "top"
                        [
                            testCase "cpu case" (fun () -> ran.Value <- ran.Value + 1)
                            testCase "a case named gpu, in no GPU list" (fun () -> ran.Value <- ran.Value + 10)
                            testList
                                "inner [gpu]"
                                [ testList "deeper" [ testCase "cuda case" (fun () -> failtest "ran") ] ]
                        ]

                let all = cases "" (ExpectoMain.skipGpu false tree) |> dict
                Expect.equal all.Count 3 "every case kept"
                runSync all["top.cpu case"]
                runSync all["top.a case named gpu, in no GPU list"]
                Expect.equal ran.Value 11 "the cases outside GPU lists ran"

                let skip =
                    Expect.throwsC (fun () -> runSync all["top.inner [gpu].deeper.cuda case"]) id

                Expect.equal (skip.GetType().Name) "IgnoreException" "a skip, not a failure"
                Expect.stringContains skip.Message "--gpu" "the reason says how to run it"

            testCase "the name filter keeps the cases whose full name contains a fragment, and nothing when none does"
            <| fun () ->
                let tree =
                    testList
                        "top"
                        [
                            testCase "alpha" ignore
                            testList "sub" [ testCase "beta" ignore; testCase "gamma" ignore ]
                        ]

                let names fragments =
                    ExpectoMain.keepNamed fragments "" tree |> Option.map (cases "" >> List.map fst)

                Expect.equal (names [ "sub.b" ]) (Some [ "top.sub.beta" ]) "one case"
                Expect.equal (names [ "alpha"; "gamma" ]) (Some [ "top.alpha"; "top.sub.gamma" ]) "either fragment"
                Expect.equal (names [ "delta" ]) None "no case"
        ]
