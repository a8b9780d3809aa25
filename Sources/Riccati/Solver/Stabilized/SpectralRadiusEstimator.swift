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
/// The last two directions `q_{k−1}`, `q_k` and their images also give the Rayleigh–Ritz
/// projection of the Jacobian on their span, a 2×2 matrix whose eigenvalues approximate the
/// dominant pair: real for a real spectrum (also when `+λ` and `−λ` of equal size make the
/// iteration alternate instead of settling, as during an escape), a complex pair `a ± ib` when
/// the Jacobian rotates. The estimate reports that `b` (0 for a real pair); an iteration that does
/// not settle within ``maximumIterations`` evaluations reports the largest ratio seen.
final class SpectralRadiusEstimator {
    struct Estimate {
        /// 1.2 × the larger of the last `‖Jv̂‖` (the largest seen, when it did not settle) and the
        /// Ritz pair's modulus.
        var radius: Double
        /// The imaginary part `b` of the Ritz pair (0 when it is real) and the pair's modulus.
        var imaginaryPart: Double
        var pairModulus: Double
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
    /// The previous unit direction `q_{k−1}`.
    private let previousUnit: ScratchBuffer

    init(dimension: Int) {
        self.dimension = dimension
        direction = ScratchBuffer(count: dimension)
        previousUnit = ScratchBuffer(count: dimension)
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
        var previous = 0.0, current = 0.0, largest = 0.0
        var evaluations = 0
        let q = previousUnit.pointer
        // Of the previous iteration: its ratio ‖Jq_{k−1}‖, and whether there is one.
        var previousRatio = 0.0
        var converged = false
        // ⟨q_k, q_{k−1}⟩, ⟨q_{k−1}, Jq_k⟩, ⟨q_k, Jq_k⟩ of the last iteration (for the Ritz pair).
        var overlap = 0.0, crossImage = 0.0, ownImage = 0.0
        var iterations = 0
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
            var differenceNorm = 0.0, inner = 0.0, cross = 0.0, unitOverlap = 0.0
            for i in 0..<n {
                let unit = v[i] / directionNorm
                let difference = fz[i] - fy[i]
                differenceNorm += difference * difference
                inner += difference * unit
                cross += difference * q[i]
                unitOverlap += unit * q[i]
                q[i] = unit
                v[i] = difference
            }
            differenceNorm = differenceNorm.squareRoot()
            previousRatio = current
            previous = current
            current = differenceNorm / delta
            iterations = iteration
            overlap = unitOverlap
            crossImage = cross / delta
            ownImage = inner / delta
            guard current.isFinite else { break }
            largest = Swift.max(largest, current)
            if iteration >= 2, abs(current - previous) <= 0.01 * Swift.max(current, floor) {
                converged = true
                break
            }
        }
        // The Ritz pair on span{q_{k−1}, q_k} (q_k = Jq_{k−1}/‖Jq_{k−1}‖): H = [[g c, (⟨q_{k−1}, Jq_k⟩ − g c²)/s],
        // [g s, (⟨e₂, Jq_k⟩ − g c s)/s]] with c = ⟨q_k, q_{k−1}⟩, s = √(1 − c²), g = ‖Jq_{k−1}‖.
        var ritzModulus = 0.0, imaginary = 0.0
        let sine = (Swift.max(0, 1 - overlap * overlap)).squareRoot()
        // Directions closer than that are one converged direction (a real eigenvalue); dividing by a
        // smaller sine would amplify the differences' round-off.
        if iterations >= 2, sine > 0.05, current.isFinite {
            let g = previousRatio, c = overlap
            let h11 = g * c, h21 = g * sine
            let h12 = (crossImage - g * c * c) / sine
            let secondImage = (ownImage - c * crossImage) / sine
            let h22 = (secondImage - g * c * sine) / sine
            let halfTrace = 0.5 * (h11 + h22), determinant = h11 * h22 - h12 * h21
            let discriminant = halfTrace * halfTrace - determinant
            if discriminant >= 0 {
                ritzModulus = abs(halfTrace) + discriminant.squareRoot()
            } else {
                imaginary = (-discriminant).squareRoot()
                ritzModulus = Swift.max(determinant, 0).squareRoot()
            }
        }
        hasDirection = converged
        let radius = Self.safetyFactor * Swift.max(converged ? current : largest, ritzModulus.isFinite ? ritzModulus : 0)
        return Estimate(radius: radius, imaginaryPart: imaginary.isFinite ? imaginary : 0, pairModulus: ritzModulus.isFinite ? ritzModulus : 0,
                        evaluations: evaluations, converged: converged)
    }
}
