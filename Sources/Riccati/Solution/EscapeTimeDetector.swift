import Foundation
import LinearAlgebra

/// Finds the first time each direction is learned, `G_jj(t) ≥ λ_j/2`, on the stepper's own
/// continuous output: after every accepted step the directions not yet learned are checked at
/// the step's end; a crossing is located inside the step to a relative time tolerance of 1e-12
/// by a safeguarded Newton iteration on `log(G_jj/(λ_j/2))`. Its slope comes from the ODE itself,
/// `dG_jj/dt = 2 mᵀ (dM/dt)_{:,j} = 8 (λ_j ‖m‖² − ‖Mᵀm‖² − mᵀPm)` with `m = M_{:,j}`, at
/// `O(r_s r + r_s²)` per direction and point (for all directions crossing in a step at once, by
/// two GEMMs); a Newton point outside the current bracket is replaced by the
/// Illinois variant of regula falsi (Dowell & Jarratt 1971). With the exact propagator every
/// trial point costs a closed-form step, so each trial state is used for every direction that
/// crosses in the same step. A direction that crosses and uncrosses within one step is not seen.
///
/// The slope depends on the dynamics (``SlopeSource``): the closed form above for the quadratic
/// gradient flow; `2 mᵀ (dM/dt)_{:,j}` from one evaluation of the vector field per trial point
/// for any other continuous dynamics; and none for a discrete map, whose state exists on its
/// time grid only: there a direction's escape time is the first grid time at which it is learned.
final class EscapeTimeDetector {
    /// Where the slope `dG_jj/dt` of the crossing function comes from.
    enum SlopeSource {
        /// The quadratic gradient flow's closed form on `[M | P]` (two GEMMs per batch).
        case quadraticClosedForm
        /// `2 Σ_i M_ij f(y)_ij` from the dynamics' vector field (one evaluation per trial point).
        case vectorField(ODESystem)
        /// A discrete map: escapes are reported at the end of the step in which they happen.
        case timeGrid
    }

    let slopeSource: SlopeSource
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    private(set) var escapeTimes: [Double?]
    private var pending: [Int]
    private let probe: ScratchBuffer
    /// Slopes are computed for up to `batchWidth` crossing directions at a time with two GEMMs.
    private let batchWidth: Int
    private let selectedColumns: ScratchBuffer   // M_J, the columns of the crossing directions (r_s × batch)
    private let projections: ScratchBuffer       // Mᵀ M_J (r × batch)
    private let orthogonalProducts: ScratchBuffer // P M_J (r_s × batch)
    private var batchPoints: [(value: Double, slope: Double, learned: Bool)] = []
    /// Directions that cross inside the current step, with the best points known on either side
    /// of each crossing (every trial state is recorded for all of them).
    private var crossingNow: [Int] = []
    private var below: [CrossingPoint] = []
    private var above: [CrossingPoint] = []

    /// Slopes by the vector field: `f(y)` at the current trial state.
    private let derivative: ScratchBuffer

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, initialState: [Double], initialTime: Double,
         slopeSource: SlopeSource = .quadraticClosedForm) {
        self.spectrum = spectrum
        self.slopeSource = slopeSource
        if case .vectorField(let system) = slopeSource {
            derivative = ScratchBuffer(count: system.dimension)
        } else {
            derivative = ScratchBuffer(count: 0)
        }
        studentWidth = rs
        let r = spectrum.count
        escapeTimes = [Double?](repeating: nil, count: r)
        pending = []
        probe = ScratchBuffer(count: initialState.count)
        batchWidth = Swift.max(1, Swift.min(r, 64))
        selectedColumns = ScratchBuffer(count: rs * batchWidth)
        projections = ScratchBuffer(count: r * batchWidth)
        orthogonalProducts = ScratchBuffer(count: rs * batchWidth)
        batchPoints.reserveCapacity(r)
        crossingNow.reserveCapacity(r)
        below.reserveCapacity(r)
        above.reserveCapacity(r)
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
        crossingNow.removeAll(keepingCapacity: true)
        var kept = 0
        for index in pending.indices {
            let j = pending[index]
            if gap(stepper.state, j) >= 0 {
                crossingNow.append(j)
            } else {
                pending[kept] = j
                kept += 1
            }
        }
        pending.removeLast(pending.count - kept)
        guard !crossingNow.isEmpty else { return }
        if case .timeGrid = slopeSource {
            for j in crossingNow { escapeTimes[j] = stepper.time }
            return
        }
        let start = try stepper.previousState(into: probe)
        below.removeAll(keepingCapacity: true)
        above.removeAll(keepingCapacity: true)
        crossings(start, at: stepper.previousTime, from: 0)
        for point in batchPoints { below.append(CrossingPoint(time: stepper.previousTime, point)) }
        crossings(stepper.state, at: stepper.time, from: 0)
        for (index, point) in batchPoints.enumerated() {
            // Already learned at the start (not expected: that state was checked after the last
            // step): an empty bracket, located at the start.
            let end = below[index].learned ? stepper.previousTime : stepper.time
            above.append(CrossingPoint(time: end, point))
        }
        // `start` points into `probe`, which the trials overwrite from here on.
        for index in crossingNow.indices {
            escapeTimes[crossingNow[index]] = try locateCrossing(index, in: stepper)
        }
    }

    /// The crossing function `φ = log(G_jj / (λ_j/2))` (same sign as the gap, `−∞` when
    /// `G_jj = 0`), its slope `φ' = Ġ_jj / G_jj` and whether the direction is learned there
    /// (`G_jj ≥ λ_j/2`, from the same `G_jj`), for the directions `crossingNow[first...]` at the
    /// state `y`, into ``batchPoints`` (in that order).
    ///
    /// `Ġ_jj = 8 (λ_j ‖m‖² − ‖Mᵀm‖² − mᵀPm)` with `m = M_{:,j}`: for a batch `J` of directions
    /// the products `Mᵀ M_J` (`r × |J|`) and `P M_J` (`r_s × |J|`) are two GEMMs.
    private func crossings(_ y: UnsafePointer<Double>, at t: Double, from first: Int) {
        let rs = studentWidth, r = spectrum.count
        let p = y + rs * r
        batchPoints.removeAll(keepingCapacity: true)
        if case .vectorField(let system) = slopeSource {
            crossings(y, at: t, from: first, field: system)
            return
        }
        var batchStart = first
        while batchStart < crossingNow.count {
            let width = Swift.min(batchWidth, crossingNow.count - batchStart)
            let selected = selectedColumns.pointer
            for i in 0..<rs {
                for column in 0..<width { selected[i * width + column] = y[i * r + crossingNow[batchStart + column]] }
            }
            do {
                BLAS.gemm(transposeA: true, transposeB: false, m: r, n: width, k: rs, alpha: 1, a: y, lda: r,
                          b: selected, ldb: width, beta: 0, c: projections.pointer, ldc: width)
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: width, k: rs, alpha: 1, a: p, lda: rs,
                          b: selected, ldb: width, beta: 0, c: orthogonalProducts.pointer, ldc: width)
            }
            for column in 0..<width {
                let j = crossingNow[batchStart + column]
                var signal = 0.0, orthogonal = 0.0
                for i in 0..<rs {
                    let entry = selected[i * width + column]
                    signal += entry * entry
                    orthogonal += entry * orthogonalProducts.pointer[i * width + column]
                }
                var projected = 0.0
                for k in 0..<r {
                    let entry = projections.pointer[k * width + column]
                    projected += entry * entry
                }
                let half = spectrum.values[j] / 2
                let slope = 8 * (spectrum.values[j] * signal - projected - orthogonal)
                batchPoints.append((log(signal / half), slope / signal, signal >= half))
            }
            batchStart += width
        }
    }

    /// ``crossings(_:at:from:)`` with the slope from the vector field: `dG_jj/dt = 2 Σ_i M_ij (dM/dt)_ij`,
    /// where `dM/dt` is the first `r_s·r` entries of `f(y)`.
    private func crossings(_ y: UnsafePointer<Double>, at t: Double, from first: Int, field: ODESystem) {
        let rs = studentWidth, r = spectrum.count
        field.evaluate(time: t, state: y, derivative: derivative.pointer)
        let dm = UnsafePointer(derivative.pointer)
        for index in first..<crossingNow.count {
            let j = crossingNow[index]
            var signal = 0.0, rate = 0.0
            for i in 0..<rs {
                signal += y[i * r + j] * y[i * r + j]
                rate += y[i * r + j] * dm[i * r + j]
            }
            let half = spectrum.values[j] / 2
            batchPoints.append((log(signal / half), 2 * rate / signal, signal >= half))
        }
    }

    /// Records the trial state `y` at `t` for the crossing directions from `first` on: it
    /// tightens their brackets. Returns the crossing point of direction `crossingNow[first]`.
    private func record(_ t: Double, _ y: UnsafePointer<Double>, from first: Int) -> CrossingPoint {
        crossings(y, at: t, from: first)
        let own = CrossingPoint(time: t, batchPoints[0])
        for index in first..<crossingNow.count {
            let point = CrossingPoint(time: t, batchPoints[index - first])
            if point.learned {
                if t < above[index].time { above[index] = point }
            } else if t > below[index].time {
                below[index] = point
            }
        }
        return own
    }

    /// Newton on `φ = log(G_jj/(λ_j/2))` from the best point below the crossing. While a
    /// direction grows, `G_jj` is close to exponential, so `φ` is close to linear and the first
    /// tangent lands near the crossing; as it saturates `φ` bends down (concave), so tangents
    /// from below stay below the crossing and converge to it monotonically and quadratically.
    /// Points outside the bracket (where `φ` is not concave) fall back to Illinois regula falsi.
    /// Every trial state also tightens the brackets of the directions still to be located in
    /// this step, which start from the best points found so far.
    private func locateCrossing(_ index: Int, in stepper: TimeStepper) throws -> Double {
        var latest = below[index]
        var earlier: CrossingPoint? = nil   // the Newton point before `latest`, for a curvature estimate
        var side = 0
        var weightBelow = 1.0, weightAbove = 1.0   // Illinois: halve a retained end's value
        for _ in 0..<200 {
            let lower = below[index], upper = above[index]
            let tolerance = 1e-12 * Swift.max(1, abs(upper.time))
            if upper.time - lower.time <= tolerance { break }
            var trial = latest.time - latest.value / latest.slope
            // On a bracket still the whole step (no other direction's trials inside it), the cubic
            // through both ends is a better first guess than the tangent at the start.
            if earlier == nil, latest.time == lower.time, lower.time == stepper.previousTime, upper.time == stepper.time,
               let guess = hermiteRoot(lower, upper) {
                trial = guess
            }
            // Close to convergence from below: when the Newton step's own error, about
            // ½ |φ''/φ'| Δ² (φ'' from the last two slopes), is below a quarter of the tolerance,
            // aim half a tolerance past the predicted crossing, so that a learned answer comes
            // without a separate confirming point.
            var aimedPast = false
            if let earlier, latest.value < 0, latest.time != earlier.time {
                let curvature = abs((latest.slope - earlier.slope) / (latest.time - earlier.time) / latest.slope)
                let newtonStep = trial - latest.time
                if 0.5 * curvature * newtonStep * newtonStep <= 0.25 * tolerance {
                    trial += 0.5 * tolerance
                    aimedPast = true
                }
            }
            let newton = trial > lower.time && trial < upper.time
            if !newton {
                let valueBelow = weightBelow * lower.value, valueAbove = weightAbove * upper.value
                trial = valueBelow.isFinite ? upper.time - valueAbove * (upper.time - lower.time) / (valueAbove - valueBelow) : .nan
                if !(trial > lower.time && trial < upper.time) { trial = 0.5 * (lower.time + upper.time) }
            }
            let step = abs(trial - latest.time)
            try stepper.interpolate(at: trial, into: probe.pointer)
            earlier = newton ? latest : nil
            latest = record(trial, probe.pointer, from: index)
            let learned = latest.learned
            if learned {
                weightAbove = 1
                if !newton, side == 1 { weightBelow *= 0.5 }
                side = 1
            } else {
                weightBelow = 1
                if !newton, side == -1 { weightAbove *= 0.5 }
                side = -1
            }
            // A Newton step this short has converged (quadratically): the crossing is within a
            // tolerance of `trial`. The answer must be a time at which the direction is learned, so
            // a converged point just below the crossing is nudged up by a tolerance and checked.
            if newton, aimedPast, learned { return trial }
            if newton, step <= tolerance {
                if learned { return trial }
                let nudged = trial + tolerance
                guard nudged < above[index].time else { return above[index].time }
                try stepper.interpolate(at: nudged, into: probe.pointer)
                latest = record(nudged, probe.pointer, from: index)
                if latest.learned { return nudged }
            }
        }
        return above[index].time
    }
}

/// The root of the cubic Hermite interpolant of `φ` through two points with `φ(a) < 0 ≤ φ(b)`
/// (bisection on the cubic, then nothing to evaluate): the first guess inside a step, where the
/// tangent at `a` alone ignores everything known at `b`. `nil` when a slope is not finite.
private func hermiteRoot(_ a: CrossingPoint, _ b: CrossingPoint) -> Double? {
    let width = b.time - a.time
    guard width > 0, a.value < 0, b.value >= 0, a.slope.isFinite, b.slope.isFinite, a.value.isFinite else { return nil }
    func cubic(_ s: Double) -> Double {
        let s2 = s * s, s3 = s2 * s
        return (2 * s3 - 3 * s2 + 1) * a.value + (s3 - 2 * s2 + s) * width * a.slope
            + (-2 * s3 + 3 * s2) * b.value + (s3 - s2) * width * b.slope
    }
    var low = 0.0, high = 1.0
    for _ in 0..<60 {
        let middle = 0.5 * (low + high)
        if cubic(middle) >= 0 { high = middle } else { low = middle }
    }
    return a.time + 0.5 * (low + high) * width
}

/// A point of the crossing function `φ = log(G_jj/(λ_j/2))`: its time, value and slope.
private struct CrossingPoint {
    var time: Double
    var value: Double
    var slope: Double
    /// `G_jj ≥ λ_j/2` at this point.
    var learned: Bool

    init(time: Double, _ crossing: (value: Double, slope: Double, learned: Bool)) {
        self.time = time
        value = crossing.value
        slope = crossing.slope
        learned = crossing.learned
    }
}

extension TimeStepper {
    /// The state at the start of the last step, written into `buffer`.
    func previousState(into buffer: ScratchBuffer) throws -> UnsafePointer<Double> {
        try interpolate(at: previousTime, into: buffer.pointer)
        return UnsafePointer(buffer.pointer)
    }
}
