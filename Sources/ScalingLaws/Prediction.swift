import Foundation
import Riccati

/// The scaling-law predictions of MODEL.md ("Scaling-law predictions") for one configuration.
///
/// - Escape time of direction `j`: `T_j = ln(λ_j d / (r_s σ0²)) / (8 λ_j)` — the time an overlap
///   of size `σ0/√d` needs to grow like `e^{4λ_j t}` up to `√λ_j`. It is only meaningful when
///   `λ_j d > r_s σ0²`; otherwise (and for `λ_j = 0`) `T_j = +∞` (never escapes from noise level).
/// - Additive model: `R_add(t) = 2 Σ_{j > J(t)} λ_(j)²`, `J(t) = min(r_s, #{j : T_j ≤ t})`, over
///   the directions in decreasing order of `λ`.
/// - Asymptotic exponent `(1 − 2α)/α` of `R ∝ t^{(1−2α)/α}` (for `α > 1/2`).
/// - Width floor `R_min = 2 Σ_{j > r_s} λ_(j)²`.
public struct ScalingPrediction: Sendable, Equatable {
    public var spectrum: TeacherSpectrum
    public var studentWidth: Int
    public var dimension: Double
    public var sigma0: Double
    /// `T_j` for each direction, in the spectrum's own order (`.infinity` where undefined).
    public var escapeTimes: [Double]

    public init(spectrum: TeacherSpectrum, studentWidth: Int, dimension: Double, sigma0: Double) throws(RiccatiError) {
        guard studentWidth >= 1 else { throw .invalidParameter(name: "studentWidth", value: "\(studentWidth)", reason: "must be ≥ 1") }
        guard dimension.isFinite, dimension > 0 else {
            throw .invalidParameter(name: "dimension", value: "\(dimension)", reason: "must be finite and > 0")
        }
        guard sigma0.isFinite, sigma0 > 0 else { throw .invalidParameter(name: "sigma0", value: "\(sigma0)", reason: "must be finite and > 0") }
        self.spectrum = spectrum
        self.studentWidth = studentWidth
        self.dimension = dimension
        self.sigma0 = sigma0
        escapeTimes = spectrum.values.map { lambda in
            let ratio = lambda * dimension / (Double(studentWidth) * sigma0 * sigma0)
            guard lambda > 0, ratio > 1 else { return .infinity }
            return log(ratio) / (8 * lambda)
        }
    }

    /// `R_min = 2 Σ_{j>r_s} λ_(j)²`.
    public var widthFloor: Double { spectrum.widthFloor(studentWidth: studentWidth) }

    /// `J(t) = min(r_s, #{j : T_j ≤ t})`.
    public func learnedCount(at t: Double) -> Int {
        Swift.min(studentWidth, escapeTimes.filter { $0 <= t }.count)
    }

    /// `R_add(t)`: twice the squared weights of all but the `J(t)` largest directions.
    public func additiveRisk(at t: Double) -> Double {
        let sorted = spectrum.values.sorted(by: >)
        let learned = learnedCount(at: t)
        return 2 * sorted[learned...].reduce(0) { $0 + $1 * $1 }
    }

    /// `(1 − 2α)/α`; `nil` for `α = 0`.
    public static func asymptoticExponent(alpha: Double) -> Double? {
        alpha > 0 ? (1 - 2 * alpha) / alpha : nil
    }

    /// `T_k` of the `k`-th largest direction (1-based), `nil` if there is no such direction.
    public func escapeTime(rank k: Int) -> Double? {
        let order = spectrum.values.indices.sorted { spectrum.values[$0] > spectrum.values[$1] }
        guard k >= 1, k <= order.count else { return nil }
        return escapeTimes[order[k - 1]]
    }
}
