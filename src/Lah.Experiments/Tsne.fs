/// Exact t-SNE (van der Maaten & Hinton 2008) for Figure 5: N×D vectors (hash codes as ±1) to N×2. The optimisation
/// is that of van der Maaten's reference implementation (bhtsne, exact mode): per-point Gaussian bandwidths found by
/// binary search on the perplexity, symmetrised P, Student-t Q, gradient descent with early exaggeration, momentum
/// 0.5 → 0.8 and per-coordinate gains (+0.2 / ×0.8, at least 0.01), the embedding re-centred after each step.
/// As in scikit-learn (not bhtsne), the gains and the momentum step restart when the exaggeration ends: carried over
/// at scikit-learn's learning rate they overshoot once the attraction drops 12-fold (clusters of identical codes were
/// still scattered 50 iterations later, where restarting had collapsed them). Every iteration runs (no early stop).
/// Time and memory are O(N²): meant for N up to a few thousand.
/// P is held in single precision (N×N floats; the arithmetic is double). Rows run in parallel, each summed in a fixed
/// order, so a seed gives the same embedding on every run and any number of cores (bit for bit on one machine;
/// Math.Exp and the vector width may differ between machines).
module Lah.Experiments.Tsne

open System
open System.Numerics
open System.Threading.Tasks
open Lah.Data
open Lah.Retrieval

type Options =
    {
        /// The effective number of neighbours each point's conditional distribution is calibrated to.
        Perplexity: float
        /// Gradient-descent iterations in all, early exaggeration included.
        Iterations: int
        /// The step on the exact gradient of the KL divergence, as scikit-learn defines it. bhtsne and openTSNE leave
        /// the gradient's factor 4 out, so a rate L here is 4L there (bhtsne's default 200 is 50 here).
        LearningRate: float
        /// The factor P is multiplied by during the first ExaggerationIterations iterations.
        EarlyExaggeration: float
        /// Iterations with exaggerated P and momentum 0.5; then gains and momentum restart, and momentum is 0.8.
        ExaggerationIterations: int
        /// Seeds the initial embedding: 10⁻⁴ × (approximately) standard normal draws from Rng.For(seed, InitKey).
        Seed: int
    }

/// scikit-learn's and bhtsne's defaults, with scikit-learn's classic learning rate.
let defaults =
    {
        Perplexity = 30.0
        Iterations = 1000
        LearningRate = 200.0
        EarlyExaggeration = 12.0
        ExaggerationIterations = 250
        Seed = 0
    }

type Result =
    {
        /// N×2, row i the 2-D position of input row i (centred on the origin).
        Embedding: float[,]
        /// KL(P ‖ Q) at the final embedding, with P not exaggerated.
        KlDivergence: float
        /// The largest |H(P_i) − ln perplexity| over the rows (nats): near 0 unless a point has more than
        /// `perplexity` exact duplicates (e.g. identical hash codes), whose entropy cannot fall that low.
        MaxEntropyError: float
    }

/// The key of the initial embedding's stream, beside the seed.
[<Literal>]
let InitKey = 0x75EUL

let private initialMomentum = 0.5
let private finalMomentum = 0.8
let private minGain = 0.01
let private initialScale = 1e-4
/// The binary search stops when the row entropy is this close to ln perplexity (nats), or after maxSearchSteps.
let private entropyTolerance = 1e-5
let private maxSearchSteps = 200

/// Runs body over [0, n) in contiguous blocks, a few per core; each index is handled by exactly one call.
let private forBlocks (n: int) (body: int -> int -> unit) =
    let blocks = max 1 (min n (4 * Environment.ProcessorCount))

    Parallel.For(
        0,
        blocks,
        (fun b -> body (int (int64 b * int64 n / int64 blocks)) (int (int64 (b + 1) * int64 n / int64 blocks)))
    )
    |> ignore

let private checkInput (n: int) (dim: int) (values: float32[]) =
    if n < 2 then
        invalidArg "n" $"t-SNE needs at least 2 points, got {n}"

    if dim < 1 then
        invalidArg "dim" $"expected a positive dimension, got {dim}"

    if int64 n * int64 n > int64 Array.MaxLength then
        invalidArg "n" $"exact t-SNE holds N×N affinities in one array: N = {n} is too many points (at most 46,340)"

    if int64 values.Length <> int64 n * int64 dim then
        invalidArg
            "values"
            $"expected n×dim = {n}×{dim} = {int64 n * int64 dim} values (row-major), got {values.Length}"

    match Array.tryFindIndex (fun (v: float32) -> not (Single.IsFinite v)) values with
    | Some k -> invalidArg "values" $"value {values[k]} at row {k / dim}, column {k % dim} is not finite"
    | None -> ()

let private checkOptions (n: int) (o: Options) =
    if not (o.Perplexity >= 1.0 && o.Perplexity < float (n - 1)) then
        invalidArg "Perplexity" $"expected a perplexity in [1, N − 1) = [1, {n - 1}), got {o.Perplexity}"

    if o.Iterations < 0 then
        invalidArg "Iterations" $"expected iterations >= 0, got {o.Iterations}"

    if not (o.LearningRate > 0.0 && Double.IsFinite o.LearningRate) then
        invalidArg "LearningRate" $"expected a positive learning rate, got {o.LearningRate}"

    if not (o.EarlyExaggeration >= 1.0 && Double.IsFinite o.EarlyExaggeration) then
        invalidArg "EarlyExaggeration" $"expected an early exaggeration >= 1, got {o.EarlyExaggeration}"

    if o.ExaggerationIterations < 0 then
        invalidArg "ExaggerationIterations" $"expected exaggeration iterations >= 0, got {o.ExaggerationIterations}"

/// Squared Euclidean distances from row i to every row, into d (length n).
let private squaredDistancesFrom (values: float32[]) (dim: int) (n: int) (i: int) (d: float[]) =
    let a = i * dim

    for j in 0 .. n - 1 do
        let b = j * dim
        let mutable s = 0.0

        for k in 0 .. dim - 1 do
            let t = float values[a + k] - float values[b + k]
            s <- s + t * t

        d[j] <- s

/// Row i of the unnormalised conditional P at β, e_j = exp(−β (d_j − dmin)), into p[i·n ..]; returns its entropy once
/// normalised, H = −Σ p ln p with p_j = e_j / Σe (= ln Σe + β Σ e_j (d_j − dmin) / Σe), and Σe.
let private entropyAt (d: float[]) (n: int) (i: int) (dmin: float) (p: float[]) (beta: float) =
    let row = i * n
    let mutable sum = 0.0
    let mutable weighted = 0.0

    for j in 0 .. n - 1 do
        if j <> i then
            let dj = d[j] - dmin
            let e = Math.Exp(-beta * dj)
            p[row + j] <- e
            sum <- sum + e
            weighted <- weighted + e * dj

    p[row + i] <- 0.0
    struct (Math.Log sum + beta * weighted / sum, sum)

/// Row i of the conditional P (p_{j|i} ∝ exp(−β d_ij), p_{i|i} = 0) into p[i·n ..], with β found by bisection so that
/// its entropy is ln perplexity; returns |H − ln perplexity|. Distances are shifted by the nearest one first, which
/// leaves p unchanged and keeps the exponentials from underflowing for far-apart points.
let private calibrateRow (d: float[]) (n: int) (i: int) (target: float) (p: float[]) =
    let row = i * n
    let mutable dmin = Double.PositiveInfinity

    for j in 0 .. n - 1 do
        if j <> i && d[j] < dmin then
            dmin <- d[j]

    let entropyAt = entropyAt d n i dmin p

    let mutable beta = 1.0
    let mutable lo = 0.0
    let mutable hi = Double.PositiveInfinity
    let struct (h0, sum0) = entropyAt beta
    let mutable h = h0
    let mutable sum = sum0
    let mutable steps = 0

    while abs (h - target) > entropyTolerance && steps < maxSearchSteps do
        if h > target then
            lo <- beta

            beta <-
                if Double.IsPositiveInfinity hi then
                    beta * 2.0
                else
                    (beta + hi) / 2.0
        else
            hi <- beta
            beta <- (beta + lo) / 2.0

        let struct (h', sum') = entropyAt beta
        h <- h'
        sum <- sum'
        steps <- steps + 1

    for j in 0 .. n - 1 do
        p[row + j] <- p[row + j] / sum

    abs (h - target)

/// The conditional affinities p_{j|i} (row-major n×n, each row summing to 1) and the largest |H(P_i) − ln perplexity|.
let conditionalAffinities (perplexity: float) (n: int) (dim: int) (values: float32[]) =
    checkInput n dim values

    checkOptions
        n
        { defaults with
            Perplexity = perplexity
        }

    let p = Array.zeroCreate<float>(n * n)
    let errors = Array.zeroCreate<float> n
    let target = Math.Log perplexity

    forBlocks n (fun lo hi ->
        let d = Array.zeroCreate<float> n

        for i in lo .. hi - 1 do
            squaredDistancesFrom values dim n i d
            errors[i] <- calibrateRow d n i target p)

    p, Array.max errors

/// The joint P = (P_cond + P_condᵀ) / 2n, symmetric with a zero diagonal, summing to 1 (row-major n×n), rounded to
/// single precision.
let symmetrize (n: int) (conditional: float[]) =
    let p = Array.zeroCreate<float32>(n * n)
    let scale = 1.0 / (2.0 * float n)

    for i in 0 .. n - 1 do
        for j in i + 1 .. n - 1 do
            let v = float32 ((conditional[i * n + j] + conditional[j * n + i]) * scale)
            p[i * n + j] <- v
            p[j * n + i] <- v

    p

/// Row i's sums over j: attraction Σ p_ij w_ij (y_i − y_j), repulsion Σ w_ij² (y_i − y_j) and Σ_{j≠i} w_ij, with
/// w_ij = 1 / (1 + |y_i − y_j|²), into out[5i ..]. Vectorised over j, two double vectors per single-precision vector
/// of P (reading P dominates the time); the j = i term adds w = 1 (removed) and nothing else.
let private rowSums (p: float32[]) (n: int) (yx: float[]) (yy: float[]) (i: int) (out: float[]) =
    let width = Vector<float>.Count
    let one = Vector<float>.One
    let xi = Vector<float>(yx[i])
    let yi = Vector<float>(yy[i])
    let row = i * n
    let mutable ax = Vector<float>.Zero
    let mutable ay = Vector<float>.Zero
    let mutable bx = Vector<float>.Zero
    let mutable by = Vector<float>.Zero
    let mutable z = Vector<float>.Zero
    let mutable j = 0

    while j <= n - 2 * width do
        let pv = Vector<float32>(p, row + j)
        let pLow = Vector.WidenLower pv
        let pHigh = Vector.WidenUpper pv

        for half in 0..1 do
            let k = j + half * width
            let dx = xi - Vector<float>(yx, k)
            let dy = yi - Vector<float>(yy, k)
            let w = one / (one + dx * dx + dy * dy)
            let pw = (if half = 0 then pLow else pHigh) * w
            ax <- ax + pw * dx
            ay <- ay + pw * dy
            let w2 = w * w
            bx <- bx + w2 * dx
            by <- by + w2 * dy
            z <- z + w

        j <- j + 2 * width

    let mutable sax = Vector.Sum ax
    let mutable say = Vector.Sum ay
    let mutable sbx = Vector.Sum bx
    let mutable sby = Vector.Sum by
    let mutable sz = Vector.Sum z

    while j < n do
        let dx = yx[i] - yx[j]
        let dy = yy[i] - yy[j]
        let w = 1.0 / (1.0 + dx * dx + dy * dy)
        let pw = float p[row + j] * w
        sax <- sax + pw * dx
        say <- say + pw * dy
        sbx <- sbx + w * w * dx
        sby <- sby + w * w * dy
        sz <- sz + w
        j <- j + 1

    out[5 * i] <- sax
    out[5 * i + 1] <- say
    out[5 * i + 2] <- sbx
    out[5 * i + 3] <- sby
    out[5 * i + 4] <- sz - 1.0

/// ∂KL/∂y_i = 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j), q_ij = w_ij / Z, into gx, gy. Rows run in parallel, each summed
/// in a fixed order, and Z is summed over rows in order, so the result does not depend on scheduling.
let private gradientInto
    (p: float32[])
    (n: int)
    (alpha: float)
    (yx: float[])
    (yy: float[])
    (sums: float[])
    (gx: float[])
    (gy: float[])
    =
    forBlocks n (fun lo hi ->
        for i in lo .. hi - 1 do
            rowSums p n yx yy i sums)

    let mutable z = 0.0

    for i in 0 .. n - 1 do
        z <- z + sums[5 * i + 4]

    for i in 0 .. n - 1 do
        gx[i] <- 4.0 * (alpha * sums[5 * i] - sums[5 * i + 2] / z)
        gy[i] <- 4.0 * (alpha * sums[5 * i + 1] - sums[5 * i + 3] / z)

/// The gradient of KL(P ‖ Q) at the embedding (yx, yy) with P multiplied by alpha (alpha = 1: the exact gradient;
/// alpha > 1: the early-exaggeration step direction, the gradient of α·Σ p ln(1 + d²) + ln Z). P sums to 1.
let gradient (p: float32[]) (n: int) (alpha: float) (yx: float[]) (yy: float[]) =
    let gx = Array.zeroCreate<float> n
    let gy = Array.zeroCreate<float> n
    gradientInto p n alpha yx yy (Array.zeroCreate (5 * n)) gx gy
    gx, gy

/// KL(P ‖ Q) = Σ_{i≠j} p_ij ln(p_ij / q_ij) at the embedding (yx, yy); terms with p_ij = 0 contribute 0.
let klDivergence (p: float32[]) (n: int) (yx: float[]) (yy: float[]) =
    // Per row: Σ p (ln p + ln(1 + d²)), Σ p and Σ w; then KL = Σ rows + (Σ p) ln Z.
    let parts = Array.zeroCreate<float>(3 * n)

    forBlocks n (fun lo hi ->
        for i in lo .. hi - 1 do
            let mutable s = 0.0
            let mutable sp = 0.0
            let mutable z = 0.0

            for j in 0 .. n - 1 do
                if j <> i then
                    let dx = yx[i] - yx[j]
                    let dy = yy[i] - yy[j]
                    let d2 = dx * dx + dy * dy
                    z <- z + 1.0 / (1.0 + d2)
                    let pij = float p[i * n + j]

                    if pij > 0.0 then
                        s <- s + pij * (Math.Log pij + Math.Log(1.0 + d2))
                        sp <- sp + pij

            parts[3 * i] <- s
            parts[3 * i + 1] <- sp
            parts[3 * i + 2] <- z)

    let mutable s = 0.0
    let mutable sp = 0.0
    let mutable z = 0.0

    for i in 0 .. n - 1 do
        s <- s + parts[3 * i]
        sp <- sp + parts[3 * i + 1]
        z <- z + parts[3 * i + 2]

    s + sp * Math.Log z

/// bhtsne's update of one coordinate: the gain grows by 0.2 where the gradient's sign differs from the last step's
/// (sign 0 counting as its own sign), shrinks ×0.8 otherwise, at least minGain; then a momentum step.
let private step (y: float[]) (grad: float[]) (update: float[]) (gains: float[]) (momentum: float) (rate: float) =
    for i in 0 .. y.Length - 1 do
        let g =
            if Math.Sign grad[i] <> Math.Sign update[i] then
                gains[i] + 0.2
            else
                gains[i] * 0.8

        gains[i] <- max g minGain
        update[i] <- momentum * update[i] - rate * gains[i] * grad[i]
        y[i] <- y[i] + update[i]

let private center (y: float[]) =
    let mutable s = 0.0

    for v in y do
        s <- s + v

    let mean = s / float y.Length

    for i in 0 .. y.Length - 1 do
        y[i] <- y[i] - mean

/// Gradient descent from the seeded initial embedding on a joint P (see `symmetrize`); returns (yx, yy).
let optimize (options: Options) (n: int) (p: float32[]) =
    checkOptions n options

    if p.Length <> n * n then
        invalidArg "p" $"expected an n×n = {n}×{n} joint P, got {p.Length} values"

    let rng = Rng.For(uint64 options.Seed, InitKey)
    let yx = Array.zeroCreate<float> n
    let yy = Array.zeroCreate<float> n

    for i in 0 .. n - 1 do
        yx[i] <- initialScale * rng.NextGaussian()
        yy[i] <- initialScale * rng.NextGaussian()

    let gx, gy = Array.zeroCreate<float> n, Array.zeroCreate<float> n
    let ux, uy = Array.zeroCreate<float> n, Array.zeroCreate<float> n
    let gainx, gainy = Array.create n 1.0, Array.create n 1.0
    let sums = Array.zeroCreate<float>(5 * n)

    for it in 0 .. options.Iterations - 1 do
        let exaggerating = it < options.ExaggerationIterations
        let alpha = if exaggerating then options.EarlyExaggeration else 1.0
        let momentum = if exaggerating then initialMomentum else finalMomentum

        if it = options.ExaggerationIterations && it > 0 then
            Array.fill ux 0 n 0.0
            Array.fill uy 0 n 0.0
            Array.fill gainx 0 n 1.0
            Array.fill gainy 0 n 1.0

        gradientInto p n alpha yx yy sums gx gy
        step yx gx ux gainx momentum options.LearningRate
        step yy gy uy gainy momentum options.LearningRate
        center yx
        center yy

    yx, yy

/// t-SNE of n row-major vectors of dimension dim.
let embed (options: Options) (n: int) (dim: int) (values: float32[]) =
    checkInput n dim values
    checkOptions n options
    let conditional, maxError = conditionalAffinities options.Perplexity n dim values
    let p = symmetrize n conditional
    let yx, yy = optimize options n p

    {
        Embedding = Array2D.init n 2 (fun i c -> if c = 0 then yx[i] else yy[i])
        KlDivergence = klDivergence p n yx yy
        MaxEntropyError = maxError
    }

/// t-SNE of hash codes as ±1 vectors (bit set ↦ +1), in the codes' order.
let embedCodes (options: Options) (codes: PackedCodes) =
    embed options codes.Count codes.Bits (codes.ToSigns())
