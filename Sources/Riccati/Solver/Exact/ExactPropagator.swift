import Dispatch
import Foundation
import LinearAlgebra

/// How the propagator factors `K_h⁻¹ = Fᵀ F` in `M(t+h) = F M E`, `P(t+h) = F P Fᵀ`.
public enum PropagatorFactorization: String, Sendable, Equatable, CaseIterable, Codable {
    /// `F = K_h^{-1/2}` from the symmetric eigensolver (`dsyevr`), the form derived in <doc:ExactPropagator>.
    case symmetricRoot
    /// `F = L⁻¹` with `K_h = L Lᵀ` (`dpotrf` + `dtrsm`): about 15× cheaper than the
    /// eigendecomposition at `r_s = 64`. It gives the same `G`, `K`, risk and spectra; `M` and
    /// `P` differ from the symmetric-root ones by a rotation `M → UM`, `P → UPUᵀ`.
    case cholesky
    /// `M(t+h)`, `F(t+h)` (with `P = F Fᵀ`) read off the orthonormal factor of the LQ
    /// factorisation of `[I, √(8h) F, √8 M S^{1/2}]` (`dgeqrf` + `dorgqr`), with a step control
    /// on a round-off indicator instead of a fixed cap: see `LQPropagatorStepper`. The same
    /// invariants as the other two; far longer steps at the same accuracy (about 70 instead of
    /// 1560 on ODE-M).
    case lq
}

/// Options of the exact (closed-form) propagator.
public struct ExactPropagatorOptions: Sendable, Equatable, Codable {
    /// Bound `c` on `8 λ_max h`. The step is exact for any `h`, but `cond(K_h)` grows like
    /// `e^{8 λ_max h}`, so round-off grows with it. How fast depends on the factorisation.
    /// Maximum relative risk error against `c = 2` (symmetric root, `h ≤ 0.05`), measured on
    /// `α = 1, r = 256, r_s = 64, d = 4096, T = 5000`:
    ///
    ///     c                 8       12      16      20      24      32      40
    ///     symmetric root    8e-15   2e-13   1e-11   2e-10   3e-8    1e-3    –
    ///     Cholesky          –       2e-14   2e-12   3e-11   2e-10   2e-10   2e-10
    ///
    /// (on `r = 64, r_s = 16` the Cholesky error stays below 1e-11 up to `c = 40`; on
    /// `α ∈ {0.5, 1.5}` problems with `σ0` from 1e-3 to 3 it stays at round-off, below 1e-12).
    /// The eigenvector-based root loses the small directions of `K_h` to the large ones; the
    /// triangular factor of a matrix whose large directions dominate stays accurate. It is not
    /// unconditional: with `d = 1e15` (`M0 ≈ 3e-8`, escape inside a single step) both
    /// factorisations reach 1.5e-5 at `c = 32`, while Cholesky stays at 7e-11 at `c = 20`. Hence
    /// the defaults: `c = 12` for ``PropagatorFactorization/symmetricRoot`` and `c = 20` for
    /// ``PropagatorFactorization/cholesky`` (1.7× fewer steps). When every `λ_j = 0` the bound
    /// applies to `8 h tr K` instead.
    public var stepExponentCap: Double
    /// An optional further cap on the step.
    public var maxStep: Double? = nil
    /// How `K_h⁻¹` is factored; see ``PropagatorFactorization``.
    public var factorization: PropagatorFactorization = .lq

    /// The LQ form's limit on its round-off indicator `κ = max_i ‖C_i‖/|L_ii|` (a step loses
    /// about `log₁₀ κ` digits in the rows it swamps); steps with a larger `κ` are rejected and
    /// retried shorter. Ignored by the other two factorisations.
    public var conditionLimit: Double = 1e6

    /// The default ``stepExponentCap`` for a factorisation: 12 (symmetric root), 20 (Cholesky)
    /// or 600 (LQ, where it only keeps `e^{4λh}` finite; ``conditionLimit`` controls accuracy).
    public static func defaultStepExponentCap(for factorization: PropagatorFactorization) -> Double {
        switch factorization {
        case .symmetricRoot: 12
        case .cholesky: 20
        case .lq: 600
        }
    }

    /// The largest ``stepExponentCap`` a factorisation accepts: 40, or 600 for LQ.
    public static func largestStepExponentCap(for factorization: PropagatorFactorization) -> Double {
        factorization == .lq ? 600 : 40
    }

    /// `stepExponentCap: nil` takes ``defaultStepExponentCap(for:)``.
    public init(stepExponentCap: Double? = nil, maxStep: Double? = nil, factorization: PropagatorFactorization = .lq,
                conditionLimit: Double = 1e6) {
        self.stepExponentCap = stepExponentCap ?? Self.defaultStepExponentCap(for: factorization)
        self.maxStep = maxStep
        self.factorization = factorization
        self.conditionLimit = conditionLimit
    }

    func validate() throws(RiccatiError) {
        let largest = Self.largestStepExponentCap(for: factorization)
        guard stepExponentCap.isFinite, stepExponentCap > 0, stepExponentCap <= largest else {
            throw .invalid("options.stepExponentCap", stepExponentCap, "must lie in (0, \(Int(largest))] for the \(factorization.rawValue) factorisation")
        }
        guard conditionLimit.isFinite, conditionLimit >= 10, conditionLimit <= 1e12 else {
            throw .invalid("options.conditionLimit", conditionLimit, "must lie in [10, 1e12]")
        }
        if let h = maxStep, !(h.isFinite && h > 0) {
            throw .invalid("options.maxStep", h, "must be finite and > 0")
        }
    }
}

/// The closed-form step (<doc:ExactPropagator>). From `(M, P)` over a step `h`, with
/// `E = diag(e^{4λ_j h})` and `S = diag((e^{8λ_j h} − 1)/(8λ_j))` (`S_jj = h` when `λ_j = 0`):
///
///     K_h    = I + 8 (h P + M S Mᵀ)
///     M(t+h) = K_h^{-1/2} M E
///     P(t+h) = K_h^{-1/2} P K_h^{-1/2}
///
/// `K_h ⪰ I` is symmetric; `K_h^{-1/2}` comes from the symmetric eigensolver (`dsyevr`), or
/// the Cholesky factor replaces it (``PropagatorFactorization``). The step is exact for the
/// invariants `G = MᵀM`, `K = MMᵀ + P`, the risk and all spectra; `M` itself is determined
/// only up to a rotation `M → UM` (the flow's own `M(t)` differs from `K_h^{-1/2} M E` by one),
/// so compare trajectories on the invariants. `M S Mᵀ` is formed as a SYRK of `M S^{1/2}`, and `S` uses `expm1` so that small `λ_j h`
/// loses nothing to cancellation. Each step costs one eigendecomposition of an `r_s×r_s`
/// matrix, one SYRK and three GEMMs, all in preallocated buffers.
final class ExactPropagatorStepper: TimeStepper {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let options: ExactPropagatorOptions
    private let largestLambda: Double
    private let eigensolver: SymmetricEigensolver
    private let current: ScratchBuffer
    private let previous: ScratchBuffer
    private let propagatorMatrix: ScratchBuffer   // K_h
    private let inverseRoot: ScratchBuffer        // K_h^{-1/2}
    private let scaledOverlap: ScratchBuffer      // M S^{1/2}
    private let halfProduct: ScratchBuffer        // K_h^{-1/2} P
    private let secondSyrk: ScratchBuffer         // second half of the split SYRK (parallel Cholesky steps)
    /// The Cholesky step splits its SYRK and GEMMs into two fixed parts run on two threads of
    /// ours (with OpenBLAS on one thread, see ``solve(_:method:locateEscapes:threads:shouldStop:)``) when
    /// `r_s ≥ 128`: the same bits for any thread count, without switching OpenBLAS's threads.
    let splitsWork: Bool
    private var coefficients: GrowthCoefficients
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
        do { eigensolver = try SymmetricEigensolver(dimension: rs) } catch { throw .linearAlgebra(error) }
        current = ScratchBuffer(count: dimension)
        previous = ScratchBuffer(count: dimension)
        propagatorMatrix = ScratchBuffer(count: rs * rs)
        inverseRoot = ScratchBuffer(count: rs * rs)
        scaledOverlap = ScratchBuffer(count: rs * r)
        halfProduct = ScratchBuffer(count: rs * rs)
        splitsWork = options.factorization == .cholesky && rs >= 128
        secondSyrk = ScratchBuffer(count: splitsWork ? rs * rs : 1)
        coefficients = GrowthCoefficients(lambda: spectrum.values)
    }

    var state: UnsafeMutablePointer<Double> { current.pointer }

    func start(time: Double, state: UnsafePointer<Double>, finalTime: Double) throws {
        self.time = time
        previousTime = time
        current.copy(from: state)
        previous.copy(from: state)
    }

    /// The largest step allowed from the current state: `c/(8 λ_max)`, or `c/(8 tr K)` when
    /// `λ = 0`, further capped by ``ExactPropagatorOptions/maxStep``.
    var stepCap: Double {
        options.stepCap(largestLambda: largestLambda, state: current.pointer, studentWidth: studentWidth, teacherWidth: teacherWidth)
    }

    /// One closed-form step of length `h` from `input` to `output` (distinct buffers).
    func propagate(from input: UnsafePointer<Double>, by h: Double, into output: UnsafeMutablePointer<Double>) throws(RiccatiError) {
        let rs = studentWidth, r = teacherWidth
        let m = input, p = input + rs * r
        let mOut = output, pOut = output + rs * r
        let kh = propagatorMatrix.pointer, root = inverseRoot.pointer
        let scaled = scaledOverlap.pointer, half = halfProduct.pointer
        coefficients.update(step: h)
        coefficients.rootIntegral.withUnsafeBufferPointer { s in
            for i in 0..<rs {
                for j in 0..<r { scaled[i * r + j] = m[i * r + j] * s[j] }
            }
        }
        // K_h = I + 8 h P + 8 (M S^{1/2})(M S^{1/2})ᵀ.
        for index in 0..<(rs * rs) { kh[index] = 8 * h * p[index] }
        for i in 0..<rs { kh[i * rs + i] += 1 }
        if splitsWork {
            // Two SYRKs over the halves of the columns, added in a fixed order.
            let half = r / 2, second = secondSyrk.pointer
            let buffers = SplitBuffers(first: kh, second: second, a: UnsafeMutablePointer(mutating: scaled))
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    BLAS.syrkUpper(transpose: false, n: rs, k: half, alpha: 8, a: buffers.a, lda: r, beta: 1, c: buffers.first, ldc: rs)
                } else {
                    BLAS.syrkUpper(transpose: false, n: rs, k: r - half, alpha: 8, a: buffers.a + half, lda: r, beta: 0,
                                   c: buffers.second, ldc: rs)
                }
            }
            for i in 0..<rs { for j in i..<rs { kh[i * rs + j] += second[i * rs + j] } }
        } else {
            BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 8, a: scaled, lda: r, beta: 1, c: kh, ldc: rs)
        }
        BLAS.mirrorUpperToLower(kh, n: rs, ldc: rs)
        if options.factorization == .cholesky {
            try propagateWithCholesky(input: input, output: output)
            return
        }
        do {
            try eigensolver.inverseSquareRoot(symmetric: kh, into: root)
        } catch {
            throw .linearAlgebra(error)
        }
        statistics.eigendecompositions += 1
        // M(t+h) = K_h^{-1/2} M E.
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: root, lda: rs,
                  b: m, ldb: r, beta: 0, c: mOut, ldc: r)
        scaleColumnsByGrowth(mOut)
        // P(t+h) = K_h^{-1/2} P K_h^{-1/2}.
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: root, lda: rs,
                  b: p, ldb: rs, beta: 0, c: half, ldc: rs)
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: half, lda: rs,
                  b: root, ldb: rs, beta: 0, c: pOut, ldc: rs)
        symmetrizeOrthogonalGram(pOut)
    }

    /// The Cholesky variant of the step, once `K_h` is in ``propagatorMatrix``:
    /// `M(t+h) = L⁻¹ M E`, `P(t+h) = L⁻¹ P L⁻ᵀ` with `K_h = L Lᵀ`.
    private func propagateWithCholesky(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>) throws(RiccatiError) {
        let rs = studentWidth, r = teacherWidth
        let kh = propagatorMatrix.pointer
        // OpenBLAS's threaded dpotrf/dtrtri block the work by thread count, which changes the
        // last bits of L (2e-14 in the risk at r_s = 128 between 1 and 2 threads): results are
        // bit-identical when the application runs OpenBLAS on one thread (see `solve`).
        do throws(LinearAlgebraError) {
            try LinearAlgebra.choleskyInPlace(kh, dimension: rs)
            // F = L⁻¹ explicitly (dtrtri, r_s³/3 multiply-adds), then GEMMs: at r_s = 64 two
            // triangular solves (dtrsm) on the same shapes took 1.6× longer than dtrtri plus the GEMMs.
            try LinearAlgebra.invertLowerTriangularInPlace(kh, dimension: rs)
        } catch {
            throw .linearAlgebra(error)
        }
        let mOut = output, pOut = output + rs * r
        let half = halfProduct.pointer
        if splitsWork {
            // M' = L⁻¹ M by column halves, Y = L⁻¹ P by column halves, then P' = Y L⁻ᵀ by row halves.
            let buffers = SplitBuffers(first: kh, second: half, a: UnsafeMutablePointer(mutating: input), output: output)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                let columns = part == 0 ? 0..<(r / 2) : (r / 2)..<r
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: columns.count, k: rs, alpha: 1, a: buffers.first, lda: rs,
                          b: buffers.a + columns.lowerBound, ldb: r, beta: 0, c: buffers.output + columns.lowerBound, ldc: r)
                let gramColumns = part == 0 ? 0..<(rs / 2) : (rs / 2)..<rs
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: gramColumns.count, k: rs, alpha: 1, a: buffers.first, lda: rs,
                          b: buffers.a + rs * r + gramColumns.lowerBound, ldb: rs, beta: 0, c: buffers.second + gramColumns.lowerBound, ldc: rs)
            }
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                let rows = part == 0 ? 0..<(rs / 2) : (rs / 2)..<rs
                BLAS.gemm(transposeA: false, transposeB: true, m: rows.count, n: rs, k: rs, alpha: 1, a: buffers.second + rows.lowerBound * rs, lda: rs,
                          b: buffers.first, ldb: rs, beta: 0, c: buffers.output + rs * r + rows.lowerBound * rs, ldc: rs)
            }
        } else {
            // M' = L⁻¹ M; P' = (L⁻¹ P) L⁻ᵀ.
            BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: kh, lda: rs,
                      b: input, ldb: r, beta: 0, c: mOut, ldc: r)
            BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: kh, lda: rs,
                      b: input + rs * r, ldb: rs, beta: 0, c: half, ldc: rs)
            BLAS.gemm(transposeA: false, transposeB: true, m: rs, n: rs, k: rs, alpha: 1, a: half, lda: rs,
                      b: kh, ldb: rs, beta: 0, c: pOut, ldc: rs)
        }
        // M(t+h) = L⁻¹ M E.
        scaleColumnsByGrowth(mOut)
        symmetrizeOrthogonalGram(pOut)
    }

    /// `M ← M E`: column `j` of the `r_s×r` matrix at `m` times `E_jj = e^{4λ_j h}`.
    private func scaleColumnsByGrowth(_ m: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        coefficients.growth.withUnsafeBufferPointer { e in
            for i in 0..<rs {
                for j in 0..<r { m[i * r + j] *= e[j] }
            }
        }
    }

    /// Replaces `P` by `(P + Pᵀ)/2` so that round-off cannot accumulate asymmetry over many steps.
    private func symmetrizeOrthogonalGram(_ pOut: UnsafeMutablePointer<Double>) {
        let rs = studentWidth
        for i in 0..<rs {
            for j in (i + 1)..<Swift.max(i + 1, rs) {
                let mean = 0.5 * (pOut[i * rs + j] + pOut[j * rs + i])
                pOut[i * rs + j] = mean
                pOut[j * rs + i] = mean
            }
        }
    }

    func advance(toAtMost limit: Double) throws {
        let h = clippedStep(stepCap, toward: limit)
        previous.copy(from: current.pointer)
        try propagate(from: previous.pointer, by: h, into: current.pointer)
        statistics.acceptedSteps += 1
        previousTime = time
        time = (h == limit - time) ? limit : time + h
        guard current.isFinite else {
            throw StepFailure(status: .nonFiniteState, message: "the exact propagator produced a non-finite state at t = \(time)")
        }
    }

    func interpolate(at t: Double, into output: UnsafeMutablePointer<Double>) throws {
        if t == time { output.update(from: current.pointer, count: dimension); return }
        if t == previousTime { output.update(from: previous.pointer, count: dimension); return }
        try propagate(from: previous.pointer, by: t - previousTime, into: output)
    }
}

/// Pointers shared by the two parts of a split step; each part writes a disjoint block.
private struct SplitBuffers: @unchecked Sendable {
    let first: UnsafeMutablePointer<Double>
    let second: UnsafeMutablePointer<Double>
    let a: UnsafeMutablePointer<Double>
    var output: UnsafeMutablePointer<Double>

    init(first: UnsafeMutablePointer<Double>, second: UnsafeMutablePointer<Double>, a: UnsafeMutablePointer<Double>,
         output: UnsafeMutablePointer<Double>? = nil) {
        self.first = first
        self.second = second
        self.a = a
        self.output = output ?? first
    }
}

/// `E_jj = e^{4λ_j h}` and `S_jj^{1/2}` of a step `h`, shared by both exact steppers. They are
/// cached per step length: most steps have the same length, so the `2r` exponentials are
/// usually reused. `S^{1/2} = e^{4λh} √((1 − e^{−8λh})/(8λ))` neither overflows through
/// `e^{8λh}` (LQ steps reach `8λh = 600`) nor cancels for small `λh`; it is `√h` when `λ = 0`.
struct GrowthCoefficients {
    private let lambda: [Double]
    private(set) var growth: [Double]
    private(set) var rootIntegral: [Double]
    /// The step length the coefficients hold (NaN: none yet).
    private var step = Double.nan

    init(lambda: [Double]) {
        self.lambda = lambda
        growth = [Double](repeating: 1, count: lambda.count)
        rootIntegral = [Double](repeating: 0, count: lambda.count)
    }

    mutating func update(step h: Double) {
        guard h != step else { return }
        for j in lambda.indices {
            let rate = lambda[j]
            if rate > 0 {
                growth[j] = exp(4 * rate * h)
                rootIntegral[j] = growth[j] * Self.integral(rate: rate, step: h).squareRoot()
            } else {
                growth[j] = 1
                rootIntegral[j] = h.squareRoot()
            }
        }
        step = h
    }

    /// `(1 − e^{−8λh})/(8λ)` for `λ > 0`. Where `8λh < 2⁻⁹⁶⁰` the product `8λh` may be subnormal
    /// (for the smallest `λ`, 5e-324, it underflows to 0 for `h < 0.06`, and a few-ulp subnormal
    /// is off by up to 50%), so the quotient would be 0 or wrong; there the series `h (1 − 4λh)`
    /// is exact to rounding (the next term is below `2⁻¹⁹²⁰` relative).
    static func integral(rate: Double, step h: Double) -> Double {
        let exponent = 8 * rate * h
        guard exponent >= 0x1p-960 else { return h * (1 - exponent / 2) }
        return -expm1(-exponent) / (8 * rate)
    }
}

extension ExactPropagatorOptions {
    /// The largest step from the packed state `y`: `c/(8 λ_max)`, or `c/(8 tr K)` when every
    /// `λ_j = 0` (unbounded when `K = 0` as well: the state then stays 0), further capped by
    /// ``maxStep``.
    func stepCap(largestLambda: Double, state y: UnsafePointer<Double>, studentWidth rs: Int, teacherWidth r: Int) -> Double {
        var cap: Double
        if largestLambda > 0 {
            cap = stepExponentCap / (8 * largestLambda)
        } else {
            var traceK = 0.0
            for index in 0..<(rs * r) { traceK += y[index] * y[index] }
            for i in 0..<rs { traceK += y[rs * r + i * rs + i] }
            cap = traceK > 0 ? stepExponentCap / (8 * traceK) : .infinity
        }
        if let maxStep { cap = Swift.min(cap, maxStep) }
        return cap
    }
}
