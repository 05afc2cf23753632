module Lah.Experiments.Tests.TsneTests

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open Expecto
open Lah.Data
open Lah.Experiments

/// k Gaussian clusters (σ = 1 around centres drawn with σ = spread), perCluster points each, row-major, and the
/// cluster of each row.
let private gaussianClusters (seed: uint64) (k: int) (perCluster: int) (dim: int) (spread: float) =
    let rng = Rng.For(seed, 0xC1UL)

    let centres =
        Array.init k (fun _ -> Array.init dim (fun _ -> spread * rng.NextGaussian()))

    let n = k * perCluster

    let values =
        Array.init (n * dim) (fun idx -> float32 (centres[idx / dim / perCluster][idx % dim] + rng.NextGaussian()))

    values, Array.init n (fun i -> i / perCluster)

/// k clusters of ±1 hash codes: random centres, each bit of a member flipped with probability flip.
let private codeClusters (seed: uint64) (k: int) (perCluster: int) (bits: int) (flip: float) =
    let rng = Rng.For(seed, 0xC0DEUL)

    let centres =
        Array.init k (fun _ -> Array.init bits (fun _ -> if rng.NextDouble() < 0.5 then 1f else -1f))

    let n = k * perCluster

    let values =
        Array.init (n * bits) (fun idx ->
            let c = centres[idx / bits / perCluster][idx % bits]
            if rng.NextDouble() < flip then -c else c)

    values, Array.init n (fun i -> i / perCluster)

let private flat (a: float[,]) = Seq.cast<float> a |> Array.ofSeq

/// The share of points whose nearest other point in the embedding has the same label.
let private nearestNeighbourAgreement (y: float[,]) (labels: int[]) =
    let n = labels.Length

    let nearest i =
        seq { 0 .. n - 1 }
        |> Seq.filter ((<>) i)
        |> Seq.minBy (fun j -> (y[i, 0] - y[j, 0]) ** 2.0 + (y[i, 1] - y[j, 1]) ** 2.0)

    float (
        Seq.init n id
        |> Seq.filter (fun i -> labels[nearest i] = labels[i])
        |> Seq.length
    )
    / float n

/// A random joint P on n points (from random data at perplexity 2) and a random embedding with coordinates ~ N(0, 1).
let private randomProblem (seed: uint64) (n: int) =
    let rng = Rng.For(seed, 0x6AUL)
    let data = Array.init (n * 3) (fun _ -> float32 (rng.NextGaussian()))
    let conditional, _ = Tsne.conditionalAffinities 2.0 n 3 data
    let p = Tsne.symmetrize n conditional
    p, Array.init n (fun _ -> rng.NextGaussian()), Array.init n (fun _ -> rng.NextGaussian())

/// Uniform P on n points (too few for a perplexity of 2) and a fixed embedding.
let private uniformProblem (n: int) =
    let p =
        Array.init (n * n) (fun k -> if k % (n + 1) = 0 then 0f else 1f / float32 (n * n - n))

    p, Array.init n float, Array.init n (fun i -> float (i * i) / 3.0)

/// The definition pair by pair: ∂/∂y_i = 4 Σ_j (α p_ij − w_ij / Z) w_ij (y_i − y_j).
let private naiveGradient (p: float32[]) n alpha (yx: float[]) (yy: float[]) =
    let w i j =
        1.0 / (1.0 + (yx[i] - yx[j]) ** 2.0 + (yy[i] - yy[j]) ** 2.0)

    let z =
        Seq.sum (
            seq {
                for i in 0 .. n - 1 do
                    for j in 0 .. n - 1 do
                        if i <> j then
                            yield w i j
            }
        )

    let g (coord: float[]) i =
        Seq.sum (
            seq {
                for j in 0 .. n - 1 do
                    if i <> j then
                        yield 4.0 * (alpha * float p[i * n + j] - w i j / z) * w i j * (coord[i] - coord[j])
            }
        )

    Array.init n (g yx), Array.init n (g yy)

/// The objective whose gradient is the exaggerated step direction: α Σ p ln(1 + d²) + ln Z (KL up to a constant
/// when α = 1).
let private exaggeratedObjective (p: float32[]) n alpha (yx: float[]) (yy: float[]) =
    let d2 i j =
        (yx[i] - yx[j]) ** 2.0 + (yy[i] - yy[j]) ** 2.0

    let pairs =
        [
            for i in 0 .. n - 1 do
                for j in 0 .. n - 1 do
                    if i <> j then
                        i, j
        ]

    alpha
    * List.sumBy (fun (i, j) -> float p[i * n + j] * Math.Log(1.0 + d2 i j)) pairs
    + Math.Log(List.sumBy (fun (i, j) -> 1.0 / (1.0 + d2 i j)) pairs)

/// Central differences of f over every coordinate of (yx, yy).
let private finiteDifferences (f: float[] -> float[] -> float) (yx: float[]) (yy: float[]) =
    let h = 1e-6

    let along (coord: float[]) =
        Array.init coord.Length (fun i ->
            let keep = coord[i]
            coord[i] <- keep + h
            let up = f yx yy
            coord[i] <- keep - h
            let down = f yx yy
            coord[i] <- keep
            (up - down) / (2.0 * h))

    along yx, along yy

let private expectClose (what: string) (tolerance: float) (expected: float[]) (actual: float[]) =
    for i in 0 .. expected.Length - 1 do
        if abs (expected[i] - actual[i]) > tolerance * (1.0 + abs expected[i]) then
            failtest $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}"

let private python =
    match Environment.GetEnvironmentVariable "LAH_PYTHON" with
    | null
    | "" -> "/usr/bin/python3"
    | p -> p

let private exec (args: string list) =
    let psi =
        ProcessStartInfo(python, RedirectStandardOutput = true, RedirectStandardError = true)

    for a in args do
        psi.ArgumentList.Add a

    try
        use p = nonNull (Process.Start psi)
        let err = p.StandardError.ReadToEndAsync()
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        p.ExitCode, out, err.Result
    with :? ComponentModel.Win32Exception as e ->
        -1, "", e.Message

/// Runs Fixtures/tsne_sklearn.py; without python3-sklearn the test skips, or fails when LAH_REQUIRE_FIXTURES=1.
let private sklearn (args: string list) =
    let code, out, err = exec [ "-c"; "import sklearn, numpy" ]

    if code <> 0 then
        let reason = $"{python} cannot import sklearn, numpy: {(out + err).Trim()}"

        if Environment.GetEnvironmentVariable "LAH_REQUIRE_FIXTURES" = "1" then
            failtest $"{reason} (LAH_REQUIRE_FIXTURES=1)"
        else
            skiptest reason

    let script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tsne_sklearn.py")
    let code, out, err = exec (script :: args)

    if code <> 0 then
        failtest $"tsne_sklearn.py {String.Join(' ', args)} failed ({code}): {out}{err}"

    JsonDocument.Parse(out.Trim().Split('\n') |> Array.last).RootElement

/// Ours against scikit-learn's exact t-SNE with the same settings on the same input.
let private peer (name: string) (values: float32[]) (n: int) (dim: int) =
    let options = Tsne.defaults
    let ours = Tsne.embed options n dim values
    use dir = new Fixtures.TempDir()
    let data = Path.Combine(dir.Path, "data.f32")
    let embedding = Path.Combine(dir.Path, "ours.f64")
    File.WriteAllBytes(data, values |> Array.collect BitConverter.GetBytes)
    File.WriteAllBytes(embedding, flat ours.Embedding |> Array.collect BitConverter.GetBytes)

    let inv (x: float) =
        x.ToString("R", Globalization.CultureInfo.InvariantCulture)

    let result =
        sklearn
            [
                data
                string n
                string dim
                inv options.Perplexity
                string options.Iterations
                inv options.LearningRate
                inv options.EarlyExaggeration
                string options.Seed
                embedding
            ]

    let theirs = result.GetProperty("kl").GetDouble()
    let ofOurs = result.GetProperty("kl_of_ours").GetDouble()
    let version = result.GetProperty("version").GetString()

    printfn
        $"t-SNE peer ({name}, N = {n}, D = {dim}): final KL ours {ours.KlDivergence:F4}, scikit-learn {version} exact {theirs:F4}; scikit-learn's KL of our embedding {ofOurs:F6}"

    // scikit-learn's P and KL at our embedding: checks our calibration, symmetrisation and KL (its binary search
    // stops within 1e-5 nats and uses float32 distances, hence not to the last digit).
    Expect.floatClose
        { absolute = 1e-3; relative = 1e-4 }
        ours.KlDivergence
        ofOurs
        "our KL = scikit-learn's KL of our embedding"
    // Both optimise from different random starts; ours must reach as good a minimum.
    Expect.isLessThanOrEqual ours.KlDivergence (1.1 * theirs + 0.05) "our final KL ≤ 1.1 × scikit-learn's + 0.05"

[<Tests>]
let tests =
    testList
        "t-SNE"
        [
            test "each row of the conditional P has entropy ln perplexity" {
                let gaussian, _ = gaussianClusters 3UL 4 50 10 3.0
                let codes, _ = codeClusters 4UL 4 50 48 0.15

                for name, values, dim in [ "gaussian", gaussian, 10; "codes", codes, 48 ] do
                    for perplexity in [ 5.0; 30.0; 50.0 ] do
                        let n = values.Length / dim
                        let p, maxError = Tsne.conditionalAffinities perplexity n dim values

                        for i in 0 .. n - 1 do
                            let row = p[i * n .. i * n + n - 1]
                            let h = -(row |> Array.sumBy (fun v -> if v > 0.0 then v * Math.Log v else 0.0))

                            Expect.floatClose
                                { absolute = 1e-10; relative = 0.0 }
                                (Array.sum row)
                                1.0
                                $"{name} row {i} sums to 1"

                            Expect.equal row[i] 0.0 $"{name} p_{i}|{i} = 0"

                            Expect.isLessThanOrEqual
                                (abs (h - Math.Log perplexity))
                                1e-3
                                $"{name}, perplexity {perplexity}: row {i} entropy {h} vs ln perplexity {Math.Log perplexity}"

                        Expect.isLessThanOrEqual
                            maxError
                            1e-3
                            $"{name}, perplexity {perplexity}: reported calibration error"
            }

            test "the joint P is symmetric, zero on the diagonal and sums to 1" {
                let p, _, _ = randomProblem 5UL 23

                for i in 0..22 do
                    Expect.equal p[i * 23 + i] 0f "diagonal"

                    for j in 0..22 do
                        Expect.equal p[i * 23 + j] p[j * 23 + i] $"p[{i},{j}] = p[{j},{i}]"

                // Single precision: each entry within 2⁻²⁴ of its value.
                Expect.floatClose { absolute = 1e-6; relative = 0.0 } (Array.sumBy float p) 1.0 "sum"
            }

            testPropertyWithConfig
                { FsCheckConfig.defaultConfig with
                    maxTest = 30
                }
                "the gradient equals central differences of the KL divergence (α = 1) and of the exaggerated objective"
            <| fun (seed: uint64) (size: byte) ->
                let n = 4 + int size % 9
                let p, yx, yy = randomProblem seed n
                let gx, gy = Tsne.gradient p n 1.0 yx yy
                let fx, fy = finiteDifferences (Tsne.klDivergence p n) yx yy
                expectClose "∂KL/∂x" 1e-6 fx gx
                expectClose "∂KL/∂y" 1e-6 fy gy
                let ex, ey = Tsne.gradient p n 12.0 yx yy
                let fx, fy = finiteDifferences (exaggeratedObjective p n 12.0) yx yy
                expectClose "exaggerated ∂/∂x" 1e-6 fx ex
                expectClose "exaggerated ∂/∂y" 1e-6 fy ey

            test "the vectorised gradient equals the pair-by-pair definition (row lengths off the vector width)" {
                for n in [ 2; 3; 5; 37; 64; 101 ] do
                    let p, yx, yy = if n < 4 then uniformProblem n else randomProblem 7UL n

                    for alpha in [ 1.0; 12.0 ] do
                        let gx, gy = Tsne.gradient p n alpha yx yy
                        let nx, ny = naiveGradient p n alpha yx yy
                        expectClose $"n = {n}, α = {alpha}: x" 1e-12 nx gx
                        expectClose $"n = {n}, α = {alpha}: y" 1e-12 ny gy
            }

            test "the KL divergence equals its definition with q_ij = w_ij / Z" {
                let n = 11
                let p, yx, yy = randomProblem 8UL n

                let w i j =
                    1.0 / (1.0 + (yx[i] - yx[j]) ** 2.0 + (yy[i] - yy[j]) ** 2.0)

                let pairs =
                    [
                        for i in 0 .. n - 1 do
                            for j in 0 .. n - 1 do
                                if i <> j then
                                    i, j
                    ]

                let z = List.sumBy (fun (i, j) -> w i j) pairs

                let kl =
                    List.sumBy (fun (i, j) -> float p[i * n + j] * Math.Log(float p[i * n + j] / (w i j / z))) pairs

                Expect.floatClose Accuracy.veryHigh (Tsne.klDivergence p n yx yy) kl "KL"
            }

            test "well-separated Gaussian clusters stay separated in 2-D" {
                let values, labels = gaussianClusters 11UL 5 40 10 10.0
                let r = Tsne.embed { Tsne.defaults with Iterations = 500 } labels.Length 10 values
                let share = nearestNeighbourAgreement r.Embedding labels
                Expect.isGreaterThanOrEqual share 0.95 "points whose nearest 2-D neighbour is in their cluster"
            }

            test "clusters of 48-bit codes stay separated in 2-D" {
                let values, labels = codeClusters 12UL 6 40 48 0.1
                let r = Tsne.embed { Tsne.defaults with Iterations = 500 } labels.Length 48 values
                let share = nearestNeighbourAgreement r.Embedding labels
                Expect.isGreaterThanOrEqual share 0.95 "points whose nearest 2-D neighbour is in their cluster"
            }

            test "identical codes beyond the perplexity: the shortfall is reported and the groups stay apart" {
                // 3 codes, each 40 times: a row's 39 duplicates hold all its mass, entropy ln 39 > ln 30 at any β.
                let values, labels = codeClusters 14UL 3 1 48 0.0
                let n = 120
                let values = Array.init (n * 48) (fun k -> values[(k / 48 % 3) * 48 + k % 48])
                let labels = Array.init n (fun i -> labels[i % 3])

                let r = Tsne.embed { Tsne.defaults with Iterations = 300 } n 48 values

                Expect.floatClose
                    { absolute = 1e-6; relative = 0.0 }
                    r.MaxEntropyError
                    (Math.Log 39.0 - Math.Log 30.0)
                    "the calibration shortfall, ln 39 − ln 30"

                Expect.isTrue (flat r.Embedding |> Array.forall Double.IsFinite) "finite embedding"
                Expect.isTrue (Double.IsFinite r.KlDivergence) "finite KL"
                Expect.equal (nearestNeighbourAgreement r.Embedding labels) 1.0 "nearest 2-D neighbour is a duplicate"
            }

            test "the same seed gives the same embedding, another seed another" {
                let values, labels = codeClusters 13UL 4 30 48 0.2
                let n = labels.Length

                let run seed =
                    Tsne.embed
                        { Tsne.defaults with
                            Iterations = 300
                            Seed = seed
                        }
                        n
                        48
                        values

                let a, b, c = run 1, run 1, run 2
                Expect.equal (flat a.Embedding) (flat b.Embedding) "seed 1 twice"
                Expect.equal a.KlDivergence b.KlDivergence "seed 1 twice: KL"
                Expect.notEqual (flat a.Embedding) (flat c.Embedding) "seed 1 vs seed 2"
            }

            test "bad input is named before any work" {
                let bad (f: unit -> Tsne.Result) (fragment: string) =
                    let e = Expect.throwsC (f >> ignore) id

                    Expect.stringContains e.Message fragment "message"

                bad (fun () -> Tsne.embed Tsne.defaults 3 2 [| 1f; 2f; 3f |]) "expected n×dim = 3×2 = 6 values"
                bad (fun () -> Tsne.embed Tsne.defaults 2 1 [| 1f; nanf |]) "at row 1, column 0 is not finite"

                bad
                    (fun () -> Tsne.embed Tsne.defaults 50_000 1 (Array.zeroCreate 50_000))
                    "N = 50000 is too many points"

                bad
                    (fun () -> Tsne.embed Tsne.defaults 10 1 (Array.init 10 float32))
                    "expected a perplexity in [1, N − 1) = [1, 9)"

                bad
                    (fun () ->
                        Tsne.embed
                            { Tsne.defaults with
                                Perplexity = 2.0
                                LearningRate = 0.0
                            }
                            10
                            1
                            (Array.init 10 float32))
                    "positive learning rate"
            }

            testList
                "scikit-learn peer"
                [
                    test "codes: our final KL within 1.1× scikit-learn's exact t-SNE + 0.05" {
                        let values, labels = codeClusters 21UL 6 50 48 0.15
                        peer "6 clusters of 48-bit codes" values labels.Length 48
                    }

                    test "Gaussian clusters: our final KL within 1.1× scikit-learn's exact t-SNE + 0.05" {
                        let values, labels = gaussianClusters 22UL 5 50 20 2.0
                        peer "5 Gaussian clusters" values labels.Length 20
                    }
                ]
        ]
