import LinearAlgebra

/// The observables of one overlap state (MODEL.md, "Risk" and the Core issue).
public struct Observables: Sendable, Equatable {
    /// Population risk `R = 2‖WᵀW − A‖_F²`, evaluated as
    /// `2 (‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²)`. This equals MODEL.md's
    /// `2 (‖K‖_F² − 2 tr(MΛMᵀ) + ‖λ‖²)` but is a sum of non-negative terms, so it keeps full
    /// relative accuracy as the risk goes to zero (no cancellation).
    public var risk: Double
    /// `G_jj / λ_j` per direction; `nil` where `λ_j = 0` (no signal to align with).
    public var alignment: [Double?]
    /// `#{j : λ_j > 0, G_jj ≥ λ_j / 2}`.
    public var learned: Int
    /// Eigenvalues of `K = MMᵀ + P`, in decreasing order.
    public var studentGramSpectrum: [Double]
}

extension OverlapState {
    /// Risk, alignments, learned count and the spectrum of `K` of this state for a teacher
    /// `spectrum` (the same quantities a ``Solution`` records at its save times).
    public func observables(spectrum: TeacherSpectrum) throws(RiccatiError) -> Observables {
        guard spectrum.count == teacherWidth else {
            throw .invalidInput("the state has r = \(teacherWidth) columns but λ has \(spectrum.count) entries")
        }
        let evaluator = try ObservableEvaluator(spectrum: spectrum, studentWidth: studentWidth)
        return try packed.withUnsafeBufferPointer { (y) throws(RiccatiError) -> Observables in
            try evaluator.evaluate(packed: y.baseAddress!)
        }
    }
}

/// Computes ``Observables`` with reusable workspace.
final class ObservableEvaluator {
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    let teacherWidth: Int
    private let eigensolver: SymmetricEigensolver
    private let signalGram: ScratchBuffer        // G, r×r (upper triangle)
    private let gramProduct: ScratchBuffer       // P M, r_s×r
    private let studentGram: ScratchBuffer       // K

    init(spectrum: TeacherSpectrum, studentWidth rs: Int) throws(RiccatiError) {
        self.spectrum = spectrum
        studentWidth = rs
        teacherWidth = spectrum.count
        do { eigensolver = try SymmetricEigensolver(dimension: rs) } catch { throw .linearAlgebra(error) }
        signalGram = ScratchBuffer(count: spectrum.count * spectrum.count)
        gramProduct = ScratchBuffer(count: rs * spectrum.count)
        studentGram = ScratchBuffer(count: rs * rs)
    }

    /// The risk alone, from the packed state `[M | P]`.
    func risk(packed y: UnsafePointer<Double>) -> Double {
        let rs = studentWidth, r = teacherWidth
        let m = y, p = y + rs * r
        let g = signalGram.pointer, pm = gramProduct.pointer
        let lambda = spectrum.values
        BLAS.syrkUpper(transpose: true, n: r, k: rs, alpha: 1, a: m, lda: r, beta: 0, c: g, ldc: r)
        var signalError = 0.0
        for j in 0..<r {
            let diagonal = g[j * r + j] - lambda[j]
            signalError += diagonal * diagonal
            var offDiagonal = 0.0
            for k in (j + 1)..<Swift.max(j + 1, r) { offDiagonal += g[j * r + k] * g[j * r + k] }
            signalError += 2 * offDiagonal
        }
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: p, lda: rs,
                  b: m, ldb: r, beta: 0, c: pm, ldc: r)
        var crossTerm = 0.0
        for index in 0..<(rs * r) { crossTerm += pm[index] * m[index] }
        var orthogonalTerm = 0.0
        for index in 0..<(rs * rs) { orthogonalTerm += p[index] * p[index] }
        return 2 * (signalError + 2 * crossTerm + orthogonalTerm)
    }

    /// `G_jj = Σ_i M_ij²`.
    static func signalDiagonal(packed y: UnsafePointer<Double>, direction j: Int, studentWidth rs: Int, teacherWidth r: Int) -> Double {
        var sum = 0.0
        for i in 0..<rs { sum += y[i * r + j] * y[i * r + j] }
        return sum
    }

    func evaluate(packed y: UnsafePointer<Double>) throws(RiccatiError) -> Observables {
        let rs = studentWidth, r = teacherWidth
        var alignment = [Double?](repeating: nil, count: r)
        var learned = 0
        for j in 0..<r where spectrum.values[j] > 0 {
            let gjj = Self.signalDiagonal(packed: y, direction: j, studentWidth: rs, teacherWidth: r)
            alignment[j] = gjj / spectrum.values[j]
            if gjj >= spectrum.values[j] / 2 { learned += 1 }
        }
        let k = studentGram.pointer
        k.update(from: y + rs * r, count: rs * rs)
        BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 1, a: y, lda: r, beta: 1, c: k, ldc: rs)
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        do {
            try BLAS.singleThreaded { () throws(LinearAlgebraError) in try eigensolver.compute(symmetric: k, vectors: false) }
        } catch {
            throw .linearAlgebra(error)
        }
        let values = Array(eigensolver.eigenvalues[0..<rs].reversed())
        return Observables(risk: risk(packed: y), alignment: alignment, learned: learned, studentGramSpectrum: values)
    }
}

/// Finds the first time each direction is learned, `G_jj(t) ≥ λ_j/2`, on the stepper's own
/// continuous output: after every accepted step the directions not yet learned are checked at
/// the step's end; a crossing is located inside the step to a relative time tolerance of 1e-12
/// by a safeguarded Newton iteration. The slope of the gap `g(t) = G_jj − λ_j/2` comes from the
/// ODE itself, `dG_jj/dt = 2 mᵀ (dM/dt)_{:,j} = 8 (λ_j ‖m‖² − ‖Mᵀm‖² − mᵀPm)` with
/// `m = M_{:,j}`, at `O(r_s r + r_s²)` per point; a Newton point outside the current bracket
/// is replaced by the Illinois variant of regula falsi (Dowell & Jarratt 1971). With the exact
/// propagator every trial point costs a closed-form step, and Newton needs about half the
/// points of Illinois alone. A direction that crosses and uncrosses within one step is not seen.
final class EscapeTimeDetector {
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    private(set) var escapeTimes: [Double?]
    private var pending: [Int]
    private let probe: ScratchBuffer
    private let projection: ScratchBuffer   // Mᵀ m (length r)
    private let gramProduct: ScratchBuffer  // P m (length r_s)

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, initialState: [Double], initialTime: Double) {
        self.spectrum = spectrum
        studentWidth = rs
        let r = spectrum.count
        escapeTimes = [Double?](repeating: nil, count: r)
        pending = []
        probe = ScratchBuffer(count: initialState.count)
        projection = ScratchBuffer(count: r)
        gramProduct = ScratchBuffer(count: rs)
        initialState.withUnsafeBufferPointer { y in
            for j in 0..<r where spectrum.values[j] > 0 {
                if gap(y.baseAddress!, j) >= 0 { escapeTimes[j] = initialTime } else { pending.append(j) }
            }
        }
    }

    /// `G_jj − λ_j/2`.
    private func gap(_ y: UnsafePointer<Double>, _ j: Int) -> Double {
        ObservableEvaluator.signalDiagonal(packed: y, direction: j, studentWidth: studentWidth, teacherWidth: spectrum.count)
            - spectrum.values[j] / 2
    }

    func inspect(_ stepper: TimeStepper) throws {
        guard !pending.isEmpty else { return }
        // Compacts `pending` in place (no allocation inside the step loop).
        var kept = 0
        for index in pending.indices {
            let j = pending[index]
            if gap(stepper.state, j) >= 0 {
                escapeTimes[j] = try locateCrossing(direction: j, in: stepper)
            } else {
                pending[kept] = j
                kept += 1
            }
        }
        pending.removeLast(pending.count - kept)
    }

    /// `dg/dt = 8 (λ_j ‖m‖² − ‖Mᵀm‖² − mᵀPm)` at the state `y`, `m = M_{:,j}`.
    private func gapSlope(_ y: UnsafePointer<Double>, _ j: Int) -> Double {
        let rs = studentWidth, r = spectrum.count
        let p = y + rs * r
        var column = 0.0
        for i in 0..<rs { column += y[i * r + j] * y[i * r + j] }
        // Mᵀ m = Σ_i m_i M_{i,:}
        let mtm = projection.pointer
        mtm.update(repeating: 0, count: r)
        for i in 0..<rs {
            let weight = y[i * r + j]
            for k in 0..<r { mtm[k] += weight * y[i * r + k] }
        }
        var projected = 0.0
        for k in 0..<r { projected += mtm[k] * mtm[k] }
        var orthogonal = 0.0
        for i in 0..<rs {
            var sum = 0.0
            for k in 0..<rs { sum += p[i * rs + k] * y[k * r + j] }
            orthogonal += y[i * r + j] * sum
        }
        return 8 * (spectrum.values[j] * column - projected - orthogonal)
    }

    private func locateCrossing(direction j: Int, in stepper: TimeStepper) throws -> Double {
        var lower = stepper.previousTime, upper = stepper.time
        let lowerState = try stepper.previousState(into: probe)
        var gapLower = gap(lowerState, j)
        guard gapLower < 0 else { return lower }
        let slopeLower = gapSlope(lowerState, j)
        var gapUpper = gap(stepper.state, j)
        let slopeUpper = gapSlope(stepper.state, j)
        // Newton starts from the end whose gap is smaller relative to its slope.
        var latest = (time: upper, gap: gapUpper, slope: slopeUpper)
        if slopeLower > 0, slopeUpper > 0, -gapLower / slopeLower < gapUpper / slopeUpper {
            latest = (lower, gapLower, slopeLower)
        }
        var side = 0
        for _ in 0..<200 {
            let tolerance = 1e-12 * Swift.max(1, abs(upper))
            if upper - lower <= tolerance { break }
            var trial = latest.time - latest.gap / latest.slope
            let newton = trial > lower && trial < upper
            if !newton {
                trial = upper - gapUpper * (upper - lower) / (gapUpper - gapLower)
                if !(trial > lower && trial < upper) { trial = 0.5 * (lower + upper) }
            }
            let step = abs(trial - latest.time)
            try stepper.interpolate(at: trial, into: probe.pointer)
            let gapTrial = gap(probe.pointer, j)
            latest = (trial, gapTrial, gapSlope(probe.pointer, j))
            if gapTrial >= 0 {
                upper = trial; gapUpper = gapTrial
                if !newton, side == 1 { gapLower *= 0.5 }
                side = 1
            } else {
                lower = trial; gapLower = gapTrial
                if !newton, side == -1 { gapUpper *= 0.5 }
                side = -1
            }
            // A Newton step this short has converged (quadratically): the crossing is within a
            // tolerance of `trial`. The answer must be a time at which the direction is learned, so
            // a converged point just below the crossing is nudged up by a tolerance and checked.
            if newton, step <= tolerance {
                if gapTrial >= 0 { return trial }
                let nudged = trial + tolerance
                guard nudged < upper else { return upper }
                try stepper.interpolate(at: nudged, into: probe.pointer)
                let gapNudged = gap(probe.pointer, j)
                if gapNudged >= 0 { return nudged }
                lower = nudged; gapLower = gapNudged
                latest = (nudged, gapNudged, gapSlope(probe.pointer, j))
            }
        }
        return upper
    }
}

extension TimeStepper {
    /// The state at the start of the last step, written into `buffer`.
    func previousState(into buffer: ScratchBuffer) throws -> UnsafePointer<Double> {
        try interpolate(at: previousTime, into: buffer.pointer)
        return UnsafePointer(buffer.pointer)
    }
}
