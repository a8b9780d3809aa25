import Dispatch
import Foundation
import LinearAlgebra

/// The exact propagator in orthogonal (LQ) form, with a step-size control on round-off.
///
/// With `P = F Fᵀ` (`F` is `r_s×r_s`, kept alongside the state) the propagator matrix of
/// <doc:ExactPropagator> is a Gram matrix, `K_h = I + 8 (h P + M S Mᵀ) = C Cᵀ` with
///
///     C = [ I,  √(8h) F,  √8 M S^{1/2} ]        (r_s × (2 r_s + r)).
///
/// Its LQ factorisation `C = L Q` (`Q` with orthonormal rows) gives `L⁻¹ C = Q`, so the step
/// `M(t+h) = L⁻¹ M E`, `F(t+h) = L⁻¹ F`, `P(t+h) = F(t+h) F(t+h)ᵀ` reads off blocks of `Q`:
///
///     M(t+h) = Q₃ · diag(e^{4λ_j h} / √(8 S_jj)) = Q₃ · diag(√(λ_j / (1 − e^{−8 λ_j h})))
///     F(t+h) = Q₂ / √(8h)
///
/// (`1/√(8h)` for a column with `λ_j = 0`). Nothing is inverted: `Q` comes from Householder
/// reflections (``LQFactorization``), which are backward stable row by row, so growth factors
/// `e^{4λ_j h}` of very different sizes do not cost accuracy the way the Gram `K_h` and its
/// Cholesky factor do (there `cond(K_h) ≈ e^{8 λ_max h}`, hence their fixed caps of 12 or 20).
/// Like the Cholesky form, this `M` differs from the symmetric-root one by a rotation `M → UM`
/// (`P → UPUᵀ`), so `G`, `K`, the risk and all spectra are the same.
///
/// **What limits the step.** Rounding perturbs row `i` of `C` by about `ε ‖C_i‖`; the part of
/// row `i` that survives the orthogonalisation against the rows before it has size `|L_ii|`.
/// When a step is long enough that a large growth factor swamps the small components of a row
/// (typically while a direction is escaping), `‖C_i‖/|L_ii|` becomes large and that row's new
/// components lose `log₁₀(‖C_i‖/|L_ii|)` digits. The controller therefore computes
///
///     κ = max_i ‖C_i‖ / |L_ii|
///
/// at every step and rejects a step with `κ > ` ``ExactPropagatorOptions/conditionLimit``
/// (default 1e6), retrying with a quarter of it. An accepted step with `κ ≤ limit/100` doubles
/// the next proposal, `κ ≤ limit/10` enlarges it by 1.25. Steps are further capped by
/// `8 λ_max h ≤ c` with `c ≤ 600`, which keeps `e^{4λ_j h} ≤ e^{300}` and the squared row norms
/// finite. The first proposal is `c = 4`.
///
/// Measured (maximum relative risk error at 12 log-spaced saves against the symmetric root at
/// `c = 2`): ODE-M (`α = 1, r = 256, r_s = 64, d = 4096, T = 5000`) and the same with
/// `d = 1e15` both stay near 1e-12 with about 70 accepted steps, where the fixed-cap Cholesky
/// form needs 1560. Without the control, a fixed `c = 320` reaches 3e-9 on the `d = 1e15` case:
/// its step across the escapes has `κ = 1.8e10` and is exactly the one the control rejects.
final class LQPropagatorStepper: TimeStepper {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let options: ExactPropagatorOptions
    private let largestLambda: Double
    private let augmentedColumns: Int
    /// From `r_s = 128` on, `Q` is formed (and the evaluation-only solves run) in two fixed
    /// halves on two threads of ours: the same bits for any thread count of ours.
    let splitsWork: Bool
    private let factorization: LQFactorization
    private let current: ScratchBuffer
    private let previous: ScratchBuffer
    let currentRoot: ScratchBuffer                // F with F Fᵀ = P at `time`
    private let previousRoot: ScratchBuffer       // F at `previousTime`
    private let augmented: ScratchBuffer          // C, then L and the Householder vectors (r_s × (2 r_s + r))
    private let orthonormal: ScratchBuffer        // Q (r_s × (2 r_s + r))
    private let lowerDiagonal: ScratchBuffer      // L_ii
    private let rowNorms: ScratchBuffer           // ‖C_i‖
    // Sub-step buffers for `interpolate` when a partial step must be split.
    private let subState: [ScratchBuffer]
    private let subRoot: [ScratchBuffer]
    private var coefficients: GrowthCoefficients
    /// The next step to try (before clipping to a save time or the cap).
    private var proposedStep = 0.0
    private(set) var time = 0.0
    private(set) var previousTime = 0.0
    var statistics = IntegrationStatistics()
    let landsOnSaveTimes = true
    let advisory: String? = nil

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, options: ExactPropagatorOptions) throws(RiccatiError) {
        studentWidth = rs
        teacherWidth = spectrum.count
        let r = spectrum.count
        dimension = rs * r + rs * rs
        self.options = options
        largestLambda = spectrum.largest
        augmentedColumns = 2 * rs + r
        splitsWork = rs >= 128
        do { factorization = try LQFactorization(rows: rs, columns: 2 * rs + r, formsInParts: splitsWork) } catch { throw .linearAlgebra(error) }
        current = ScratchBuffer(count: dimension)
        previous = ScratchBuffer(count: dimension)
        currentRoot = ScratchBuffer(count: rs * rs)
        previousRoot = ScratchBuffer(count: rs * rs)
        augmented = ScratchBuffer(count: rs * (2 * rs + r))
        orthonormal = ScratchBuffer(count: rs * (2 * rs + r))
        lowerDiagonal = ScratchBuffer(count: rs)
        rowNorms = ScratchBuffer(count: rs)
        subState = [ScratchBuffer(count: dimension), ScratchBuffer(count: dimension)]
        subRoot = [ScratchBuffer(count: rs * rs), ScratchBuffer(count: rs * rs)]
        coefficients = GrowthCoefficients(lambda: spectrum.values)
    }

    var state: UnsafeMutablePointer<Double> { current.pointer }

    /// Takes `F = V diag(√μ⁺)` from the eigendecomposition `P = V diag(μ) Vᵀ` (negative
    /// round-off eigenvalues count as 0).
    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        let rs = studentWidth, r = teacherWidth
        self.time = time
        previousTime = time
        current.copy(from: state)
        previous.copy(from: state)
        var gram = Matrix(rows: rs, columns: rs)
        for i in 0..<rs { for j in 0..<rs { gram[i, j] = 0.5 * (state[rs * r + i * rs + j] + state[rs * r + j * rs + i]) } }
        let decomposition: SymmetricEigendecomposition
        do {
            decomposition = try LinearAlgebra.symmetricEigendecomposition(gram)
        } catch {
            throw RiccatiError.linearAlgebra(error)
        }
        let vectors = decomposition.vectors!
        for i in 0..<rs {
            for k in 0..<rs { currentRoot.pointer[i * rs + k] = vectors[i, k] * Swift.max(decomposition.values[k], 0).squareRoot() }
        }
        previousRoot.copy(from: currentRoot.pointer)
        proposedStep = largestLambda > 0 ? 4 / (8 * largestLambda) : stepCap
    }

    /// The largest step allowed (``ExactPropagatorOptions/stepCap(largestLambda:state:studentWidth:teacherWidth:)``).
    var stepCap: Double {
        options.stepCap(largestLambda: largestLambda, state: current.pointer, studentWidth: studentWidth, teacherWidth: teacherWidth)
    }

    /// One closed-form step of length `h` from `(input, inputRoot)` into `(output, outputRoot)`
    /// (buffers distinct from the inputs). Returns `κ = max_i ‖C_i‖/|L_ii|`; the output is
    /// meaningful only when `κ` is within the limit.
    ///
    /// `formingQ: false` is for states that are only evaluated (escape location), never stepped
    /// from: `M(t+h) = L⁻¹ M E` and `F(t+h) = L⁻¹ F` by triangular solves with the same `L`,
    /// which skips forming `Q` (at `r_s = 256, r = 1024` about 84 instead of 190 Mflop). The
    /// result is as accurate; but stepping on from it leaves rounding in rows of `M` along
    /// directions other rows hold, which the next long step amplifies (on ODE-M `κ` reached 1e20
    /// at `h = 33` and the control needed 340 steps instead of 68), so accepted steps form `Q`.
    func propagate(from input: UnsafePointer<Double>, root inputRoot: UnsafePointer<Double>, by h: Double,
                   into output: UnsafeMutablePointer<Double>, root outputRoot: UnsafeMutablePointer<Double>,
                   formingQ: Bool = true) throws(RiccatiError) -> Double {
        let rs = studentWidth, r = teacherWidth, n = augmentedColumns
        coefficients.update(step: h)
        let c = augmented.pointer
        let rootEight = 8.0.squareRoot()
        coefficients.rootIntegral.withUnsafeBufferPointer { s in
            for i in 0..<rs {
                let row = c + i * n
                for k in 0..<rs { row[k] = 0 }
                row[i] = 1
                for k in 0..<rs { row[rs + k] = (8 * h).squareRoot() * inputRoot[i * rs + k] }
                for j in 0..<r { row[2 * rs + j] = rootEight * input[i * r + j] * s[j] }
                var sum = 0.0
                for k in 0..<n { sum += row[k] * row[k] }
                rowNorms.pointer[i] = sum.squareRoot()
            }
        }
        for i in 0..<rs where !rowNorms.pointer[i].isFinite { return .infinity }
        // OpenBLAS's threaded GEMM/TRMM inside dgeqrt/dgemqrt change the last bits with its thread
        // count: the results are bit-identical when the application runs OpenBLAS on one thread
        // (see `solve`), which the riccati tool does.
        do {
            try factorization.factor(c, lowerDiagonal: lowerDiagonal.pointer, orthonormal: formingQ ? orthonormal.pointer : nil)
        } catch {
            throw .linearAlgebra(error)
        }
        var kappa = 1.0
        for i in 0..<rs {
            let ratio = rowNorms.pointer[i] / abs(lowerDiagonal.pointer[i])
            kappa = ratio.isNaN ? .infinity : Swift.max(kappa, ratio)
        }
        if !formingQ {
            solveWithLowerFactor(input: input, inputRoot: inputRoot, output: output, outputRoot: outputRoot)
            return kappa
        }
        // M(t+h) and F(t+h) from the blocks of Q.
        let rootEightH = (8 * h).squareRoot()
        coefficients.growth.withUnsafeBufferPointer { e in
            coefficients.rootIntegral.withUnsafeBufferPointer { s in
                for i in 0..<rs {
                    let row = orthonormal.pointer + i * n
                    for k in 0..<rs { outputRoot[i * rs + k] = row[rs + k] / rootEightH }
                    // e^{4λh}/(√8 S^{1/2}), bounded: √(λ/(1 − e^{−8λh})), or 1/√(8h) when λ = 0.
                    for j in 0..<r { output[i * r + j] = row[2 * rs + j] * (e[j] / (rootEight * s[j])) }
                }
            }
        }
        // P(t+h) = F Fᵀ.
        let pOut = output + rs * r
        BLAS.syrkUpper(transpose: false, n: rs, k: rs, alpha: 1, a: outputRoot, lda: rs, beta: 0, c: pOut, ldc: rs)
        BLAS.mirrorUpperToLower(pOut, n: rs, ldc: rs)
        return kappa
    }

    /// `M(t+h) = L⁻¹ M E`, `F(t+h) = L⁻¹ F`, `P(t+h) = F Fᵀ` with the `L` that the factorisation
    /// left in the first `r_s` columns of ``augmented`` (row-major, leading dimension `2 r_s + r`).
    private func solveWithLowerFactor(input: UnsafePointer<Double>, inputRoot: UnsafePointer<Double>,
                                      output: UnsafeMutablePointer<Double>, outputRoot: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth, n = augmentedColumns
        coefficients.growth.withUnsafeBufferPointer { e in
            for i in 0..<rs {
                for j in 0..<r { output[i * r + j] = input[i * r + j] * e[j] }
            }
        }
        outputRoot.update(from: inputRoot, count: rs * rs)
        let shared = SolveBuffers(lower: augmented.pointer, overlap: output, root: outputRoot)
        let solve: @Sendable (Int) -> Void = { part in
            let columns = part == 0 ? 0..<(r / 2) : (r / 2)..<r
            BLAS.solveLowerTriangular(left: true, rows: rs, columns: columns.count, lower: shared.lower, ldl: n,
                                      b: shared.overlap + columns.lowerBound, ldb: r)
            if part == 1 {
                BLAS.solveLowerTriangular(left: true, rows: rs, columns: rs, lower: shared.lower, ldl: n, b: shared.root, ldb: rs)
            }
        }
        if splitsWork, r >= 2 {
            DispatchQueue.concurrentPerform(iterations: 2, execute: solve)
        } else {
            BLAS.solveLowerTriangular(left: true, rows: rs, columns: r, lower: shared.lower, ldl: n, b: output, ldb: r)
            BLAS.solveLowerTriangular(left: true, rows: rs, columns: rs, lower: shared.lower, ldl: n, b: outputRoot, ldb: rs)
        }
        let pOut = output + rs * r
        BLAS.syrkUpper(transpose: false, n: rs, k: rs, alpha: 1, a: outputRoot, lda: rs, beta: 0, c: pOut, ldc: rs)
        BLAS.mirrorUpperToLower(pOut, n: rs, ldc: rs)
    }

    func advance(toAtMost limit: Double) throws {
        let cap = stepCap
        previous.copy(from: current.pointer)
        previousRoot.copy(from: currentRoot.pointer)
        while true {
            let unclipped = Swift.min(proposedStep, cap)
            let h = clippedStep(unclipped, toward: limit)
            let kappa = try propagate(from: previous.pointer, root: previousRoot.pointer, by: h,
                                      into: current.pointer, root: currentRoot.pointer)
            if kappa <= options.conditionLimit {
                statistics.acceptedSteps += 1
                if h >= unclipped {
                    if kappa <= options.conditionLimit / 100 { proposedStep = 2 * h } else if kappa <= options.conditionLimit / 10 { proposedStep = 1.25 * h }
                }
                previousTime = time
                time = (h == limit - time) ? limit : time + h
                break
            }
            statistics.rejectedSteps += 1
            proposedStep = h / 4
            guard proposedStep > 1e-14 * Swift.max(1, abs(time)) else {
                current.copy(from: previous.pointer)
                currentRoot.copy(from: previousRoot.pointer)
                throw StepFailure(status: .stepTooSmall, message: String(
                    format: "the exact propagator's round-off indicator κ = %.3g stays above its limit %.3g (ExactPropagatorOptions.conditionLimit) even at step %.3g (t = %.17g)",
                    kappa, options.conditionLimit, h, time))
            }
        }
        guard current.isFinite else {
            throw StepFailure(status: .nonFiniteState, message: "the exact propagator produced a non-finite state at t = \(time)")
        }
    }

    /// Re-propagates from the start of the last step; a partial step whose `κ` exceeds the
    /// limit is split into `2, 4, …` equal sub-steps until every one is within it.
    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if t == time { output.update(from: current.pointer, count: dimension); return }
        if t == previousTime { output.update(from: previous.pointer, count: dimension); return }
        let span = t - previousTime
        var pieces = 1
        while pieces <= 1 << 20 {
            let h = span / Double(pieces)
            var source = (state: UnsafePointer(previous.pointer), root: UnsafePointer(previousRoot.pointer))
            var withinLimit = true
            for piece in 0..<pieces {
                let target = piece == pieces - 1 ? output : subState[piece % 2].pointer
                // Only the last piece is an end state; the pieces before it are stepped from.
                let kappa = try propagate(from: source.state, root: source.root, by: h, into: target, root: subRoot[piece % 2].pointer,
                                          formingQ: piece < pieces - 1)
                if kappa > options.conditionLimit { withinLimit = false; break }
                source = (UnsafePointer(target), UnsafePointer(subRoot[piece % 2].pointer))
            }
            if withinLimit { return }
            pieces *= 2
        }
        throw StepFailure(status: .stepTooSmall, message: "the exact propagator cannot reach t = \(t) with its round-off indicator within \(options.conditionLimit)")
    }
}

/// Pointers shared by the two halves of an evaluation-only solve; each half writes its own columns.
private struct SolveBuffers: @unchecked Sendable {
    let lower: UnsafePointer<Double>
    let overlap: UnsafeMutablePointer<Double>
    let root: UnsafeMutablePointer<Double>

    init(lower: UnsafeMutablePointer<Double>, overlap: UnsafeMutablePointer<Double>, root: UnsafeMutablePointer<Double>) {
        self.lower = UnsafePointer(lower)
        self.overlap = overlap
        self.root = root
    }
}
