import Foundation

extension Activation {
    /// `σ(z)`: `z² − 1`, `max(z, 0)`, `erf(z/√2)`, or `Σ_k c_k He_k(z)` (by the recurrence
    /// `He_{k+1}(z) = z He_k(z) − k He_{k−1}(z)`).
    @inline(__always)
    public func value(_ z: Double) -> Double {
        switch self {
        case .he2: return z * z - 1
        case .relu: return Swift.max(z, 0)
        case .erf: return Foundation.erf(z / 2.0.squareRoot())
        case .hermite(let c): return Self.hermiteSeries(c, z).value
        }
    }

    /// `σ′(z)`: `2z`, `1` for `z > 0` and `0` otherwise (ReLU's derivative taken as 0 at the kink,
    /// a null set for Gaussian data), `√(2/π) e^{−z²/2}`, or `Σ_k k c_k He_{k−1}(z)`.
    @inline(__always)
    public func derivative(_ z: Double) -> Double {
        switch self {
        case .he2: return 2 * z
        case .relu: return z > 0 ? 1 : 0
        case .erf: return (2 / Double.pi).squareRoot() * exp(-z * z / 2)
        case .hermite(let c): return Self.hermiteSeries(c, z).derivative
        }
    }

    /// `(Σ c_k He_k(z), Σ k c_k He_{k−1}(z))` in one pass of the three-term recurrence.
    @inline(__always)
    static func hermiteSeries(_ c: [Double], _ z: Double) -> (value: Double, derivative: Double) {
        var previous = 0.0, current = 1.0   // He_{k−1}, He_k at k = 0 (He_{−1} unused)
        var value = 0.0, derivative = 0.0
        for k in c.indices {
            value += c[k] * current
            if k > 0 { derivative += Double(k) * c[k] * previous }
            let next = z * current - Double(k) * previous
            previous = current
            current = next
        }
        return (value, derivative)
    }
}
