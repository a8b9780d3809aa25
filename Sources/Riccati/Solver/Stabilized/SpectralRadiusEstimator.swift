import Foundation

/// The spectral radius of the Jacobian `∂f/∂y` at a state, by a nonlinear power iteration on the
/// vector field itself (no Jacobian is formed).
///
/// With a direction `v`, a small `δ = ‖y‖·√ε` (or `√ε` at `y = 0`) and `f_y = f(t, y)`,
///
///     Jv̂ ≈ (f(t, y + δ·v̂) − f_y) / δ,   v̂ = v/‖v‖,
///
/// and the next direction is that difference. `‖Jv̂‖` converges to the largest `|λ|` when the
/// dominant eigenvalue is real (or the dominant block is normal); the iteration stops when two
/// successive values agree to 1 % (or to 1 % of `floor`, for a radius near 0) and returns 1.2 times
/// the last value (Abdulle's and Verwer's safety factor). The converged direction is kept and
/// starts the next estimate, so a refresh usually takes two or three evaluations.
///
/// The estimate also reports the *alignment* `⟨v̂, Jv̂⟩/‖Jv̂‖ ∈ [−1, 1]` of the last iterate: `−1`
/// for a dominant eigenvalue on the negative real axis (the direction is then an eigenvector,
/// in any inner product), near 0 for a dominant eigenvalue near the imaginary axis. An iteration
/// that does not settle within ``maximumIterations`` evaluations (a dominant complex pair of a
/// non-normal Jacobian rotates the direction for ever) is reported as not converged.
final class SpectralRadiusEstimator {
    struct Estimate {
        /// 1.2 × the last `‖Jv̂‖`.
        var radius: Double
        /// `⟨v̂, Jv̂⟩/‖Jv̂‖` of the last iterate (0 when `Jv̂ = 0`).
        var alignment: Double
        var evaluations: Int
        var converged: Bool
    }

    static let maximumIterations = 50
    static let safetyFactor = 1.2

    let dimension: Int
    /// The last dominant direction (unnormalised); empty until the first estimate.
    private let direction: ScratchBuffer
    private var hasDirection = false
    private let probe: ScratchBuffer
    private let probeSlope: ScratchBuffer

    init(dimension: Int) {
        self.dimension = dimension
        direction = ScratchBuffer(count: dimension)
        probe = ScratchBuffer(count: dimension)
        probeSlope = ScratchBuffer(count: dimension)
    }

    /// Estimates at `(time, state)`, where `slope = f(time, state)`. `floor` is a radius below
    /// which differences do not matter (the reciprocal of the longest step).
    func estimate(system: ODESystem, time: Double, state y: UnsafePointer<Double>, slope fy: UnsafePointer<Double>,
                  floor: Double) -> Estimate {
        let n = dimension
        let v = direction.pointer, z = probe.pointer, fz = probeSlope.pointer
        if !hasDirection { v.update(from: fy, count: n) }
        var stateNorm = 0.0
        for i in 0..<n { stateNorm += y[i] * y[i] }
        stateNorm = stateNorm.squareRoot()
        let delta = stateNorm > 0 ? stateNorm * Double.ulpOfOne.squareRoot() : Double.ulpOfOne.squareRoot()
        var previous = 0.0, current = 0.0, alignment = 0.0
        var evaluations = 0
        for iteration in 1...Self.maximumIterations {
            var directionNorm = 0.0
            for i in 0..<n { directionNorm += v[i] * v[i] }
            directionNorm = directionNorm.squareRoot()
            if !(directionNorm > 0) || !directionNorm.isFinite {
                // No usable direction (f = 0, or a difference that vanished): an arbitrary one,
                // a different coordinate each time.
                for i in 0..<n { v[i] = 0 }
                v[iteration % Swift.max(n, 1)] = 1
                directionNorm = 1
            }
            let scale = delta / directionNorm
            for i in 0..<n { z[i] = y[i] + scale * v[i] }
            system.evaluate(time: time, state: z, derivative: fz)
            evaluations += 1
            var differenceNorm = 0.0, inner = 0.0
            for i in 0..<n {
                let difference = fz[i] - fy[i]
                differenceNorm += difference * difference
                inner += difference * v[i]
                v[i] = difference
            }
            differenceNorm = differenceNorm.squareRoot()
            previous = current
            current = differenceNorm / delta
            alignment = differenceNorm > 0 ? inner / (directionNorm * differenceNorm) : 0
            guard current.isFinite else { break }
            if iteration >= 2, abs(current - previous) <= 0.01 * Swift.max(current, floor) {
                hasDirection = true
                return Estimate(radius: Self.safetyFactor * current, alignment: alignment, evaluations: evaluations, converged: true)
            }
        }
        hasDirection = false
        return Estimate(radius: Self.safetyFactor * current, alignment: alignment, evaluations: evaluations, converged: false)
    }
}
