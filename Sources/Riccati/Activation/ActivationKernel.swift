import Foundation

/// The correlation kernel `κ(ρ) = E[σ(u·x) σ(v·x)]` of an ``Activation`` (unit `u`, `v`, `ρ = u·v`,
/// `x ~ N(0, I)`) and its derivative `κ′(ρ)`, on `ρ ∈ [−1, 1]`.
///
/// | activation | `κ(ρ)` | `κ′(ρ)` |
/// |---|---|---|
/// | `he2` | `2ρ²` | `4ρ` |
/// | `relu` | `(√(1−ρ²) + ρ(π − arccos ρ))/(2π)` | `(π − arccos ρ)/(2π)` |
/// | `erf` | `(2/π) arcsin(ρ/2)` | `1/(π√(1 − ρ²/4))` |
/// | `hermite(c)` | `Σ_k c_k² k! ρ^k` | `Σ_k k c_k² k! ρ^{k−1}` |
///
/// (The ReLU kernel is the degree-1 arc-cosine kernel of Cho and Saul, 2009; the erf kernel is
/// Williams's, 1998, for `σ(z) = erf(z/√2)`.) Arguments outside `[−1, 1]`, which rounding can
/// produce from Gram entries, are clamped to it: `κ′` stays finite at `ρ = ±1` for every activation
/// here (for ReLU `κ′(1) = 1/2` and `κ′(−1) = 0`: a ReLU neuron anti-aligned with a teacher direction
/// feels no pull from that direction, though others can still rotate it).
public struct ActivationKernel: Sendable {
    public let activation: Activation
    /// `a_k = c_k² k!` for a Hermite list, empty otherwise.
    private let weights: [Double]
    /// `k a_k`, the coefficients of `κ′` (index `k − 1`).
    private let slopeWeights: [Double]

    public init(_ activation: Activation) {
        self.activation = activation
        if case .hermite(let c) = activation {
            let a = Self.hermiteWeights(c)
            weights = a
            slopeWeights = a.indices.dropFirst().map { Double($0) * a[$0] }
        } else {
            weights = []
            slopeWeights = []
        }
    }

    /// `c_k² k!` for each `k`.
    static func hermiteWeights(_ c: [Double]) -> [Double] {
        var factorial = 1.0
        return c.enumerated().map { k, ck in
            if k > 0 { factorial *= Double(k) }
            return ck * ck * factorial
        }
    }

    /// `κ(ρ)`.
    @inline(__always)
    public func value(_ rho: Double) -> Double {
        let rho = Swift.min(1, Swift.max(-1, rho))
        switch activation {
        case .he2: return 2 * rho * rho
        case .relu: return ((1 - rho * rho).squareRoot() + rho * (Double.pi - acos(rho))) / (2 * Double.pi)
        case .erf: return 2 / Double.pi * asin(rho / 2)
        case .hermite: return Self.horner(weights, rho)
        }
    }

    /// `κ′(ρ)`.
    @inline(__always)
    public func slope(_ rho: Double) -> Double {
        let rho = Swift.min(1, Swift.max(-1, rho))
        switch activation {
        case .he2: return 4 * rho
        case .relu: return (Double.pi - acos(rho)) / (2 * Double.pi)
        case .erf: return 1 / (Double.pi * (1 - rho * rho / 4).squareRoot())
        case .hermite: return Self.horner(slopeWeights, rho)
        }
    }

    /// `κ(1) = E[σ(z)²]`, `z ~ N(0, 1)`.
    public var selfCorrelation: Double { value(1) }

    /// `(κ′(ρ), 2κ(ρ) − ρκ′(ρ))`: the two kernel factors of the overlap equations
    /// (<doc:GeneralActivations>), by ``slopesAndRadialFactors(_:count:slopes:radial:)`` on one argument.
    func slopeAndRadialFactor(_ rho: Double) -> (slope: Double, radial: Double) {
        var argument = rho, slope = 0.0, radial = 0.0
        slopesAndRadialFactors(&argument, count: 1, slopes: &slope, radial: &radial)
        return (slope, radial)
    }

    /// `(κ′, 2κ − ρκ′)` at `count` arguments at once (clamped to `[−1, 1]` in place): the branch on
    /// the activation is taken once, outside the loop. For a Hermite list `2κ − ρκ′ = Σ_k (2 − k) a_k ρ^k`
    /// is summed directly, so that the `k = 2` term cancels exactly.
    func slopesAndRadialFactors(_ arguments: UnsafeMutablePointer<Double>, count: Int,
                                slopes: UnsafeMutablePointer<Double>, radial: UnsafeMutablePointer<Double>) {
        for index in 0..<count { arguments[index] = Swift.min(1, Swift.max(-1, arguments[index])) }
        switch activation {
        case .he2:
            for index in 0..<count {
                slopes[index] = 4 * arguments[index]
                radial[index] = 0
            }
        case .relu:
            let inverseTwoPi = 1 / (2 * Double.pi)
            for index in 0..<count {
                let rho = arguments[index]
                let angle = Double.pi - acos(rho)
                slopes[index] = angle * inverseTwoPi
                radial[index] = (2 * (1 - rho * rho).squareRoot() + rho * angle) * inverseTwoPi
            }
        case .erf:
            for index in 0..<count {
                let rho = arguments[index]
                let slope = 1 / (Double.pi * (1 - rho * rho / 4).squareRoot())
                slopes[index] = slope
                radial[index] = 4 / Double.pi * asin(rho / 2) - rho * slope
            }
        case .hermite:
            weights.withUnsafeBufferPointer { a in
                slopeWeights.withUnsafeBufferPointer { b in
                    for index in 0..<count {
                        let rho = arguments[index]
                        var slope = 0.0, radialSum = 0.0
                        for k in b.indices.reversed() { slope = slope * rho + b[k] }
                        for k in a.indices.reversed() { radialSum = radialSum * rho + Double(2 - k) * a[k] }
                        slopes[index] = slope
                        radial[index] = radialSum
                    }
                }
            }
        }
    }

    /// `Σ_k a_k ρ^k` by Horner's rule.
    @inline(__always)
    static func horner(_ a: [Double], _ rho: Double) -> Double {
        var sum = 0.0
        for k in a.indices.reversed() { sum = sum * rho + a[k] }
        return sum
    }
}
