#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Gamma(shape, scale = 1) sampler: Marsaglia & Tsang, "A simple method for
/// generating gamma variables", ACM TOMS 26(3), 2000, with their
/// Gamma(a) = Gamma(a + 1)·U^(1/a) boost for shape a < 1.
///
/// For a ≥ 1, with d = a − 1/3 and c = 1/√(9d), draw Z ~ N(0,1) (``NormalSampler``)
/// and U ~ U(0,1); with v = (1 + cZ)³ > 0 accept d·v if
/// U < 1 − 0.0331·Z⁴ (squeeze) or log U < Z²/2 + d·(1 − v + log v).
/// Acceptance is ≥ 95% for all a ≥ 1 and tends to 1 as a grows.
///
/// Large shapes are handled without cancellation: the result is formed as
/// d + δ with δ = d·((1 + t)³ − 1) = d·t·(3 + t·(3 + t)), t = cZ (so the
/// fluctuation of size √a keeps full relative precision instead of being
/// rounded through 1 + cZ), and d·(1 − v + log v) is evaluated through an
/// accurate log(1 + t) − t. Shapes up to 1e15 and beyond (e.g. chi-square with
/// 1e12 degrees of freedom) therefore keep the correct distribution of
/// (X − a)/√a to within the spacing of doubles near a.
public enum GammaSampler {
    /// Returns a Gamma(shape, 1) variate (mean `shape`, variance `shape`),
    /// strictly positive for shape ≥ 1 (and for shape < 1 unless it underflows).
    /// - Precondition: `shape` is finite and > 0.
    @inlinable
    public static func next<G: RandomNumberGenerator>(shape: Double, using g: inout G) -> Double {
        precondition(shape > 0 && shape.isFinite, "Gamma shape must be finite and positive")
        if shape < 1 {
            // Gamma(a) = Gamma(a + 1) · U^(1/a), U ~ U(0,1) open so log/pow are safe.
            let boosted = marsagliaTsang(shape: shape + 1, using: &g)
            let u = UniformBits.open(g.next())
            return boosted * exp(log(u) / shape)
        }
        return marsagliaTsang(shape: shape, using: &g)
    }

    /// The Marsaglia–Tsang rejection sampler for shape ≥ 1.
    @inlinable
    static func marsagliaTsang<G: RandomNumberGenerator>(shape: Double, using g: inout G) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            let z = NormalSampler.next(using: &g)
            let t = c * z
            if t <= -1 { continue }  // v = (1 + t)³ ≤ 0
            let delta = d * (t * (3 + t * (3 + t)))  // d·(v − 1), no cancellation
            let u = UniformBits.open(g.next())
            let z2 = z * z
            if u < 1 - 0.0331 * (z2 * z2) {
                return d + delta
            }
            // 1 − v + log v = 3·(log(1 + t) − t) − 3t² − t³, each term accurate.
            let logDensityRatio = 0.5 * z2 + d * (3 * log1pMinusX(t) - t * t * (3 + t))
            if log(u) < logDensityRatio {
                return d + delta
            }
        }
    }

    /// log(1 + t) − t for t > −1, accurate to a few ulps also for tiny |t|
    /// (where the direct formula cancels). Uses log(1 + t) = 2·atanh(s),
    /// s = t/(2 + t), and 2s − t = −t²/(2 + t), so that
    /// log(1 + t) − t = −t²/(2 + t) + 2·(s³/3 + s⁵/5 + s⁷/7 + …).
    @inlinable
    static func log1pMinusX(_ t: Double) -> Double {
        if abs(t) > 0.0625 {
            return log1p(t) - t
        }
        // |s| < 0.0323, s² < 1.05e-3: eight odd terms leave < 1e-27·|s|³.
        let s = t / (2 + t)
        let s2 = s * s
        var series = 1.0 / 17.0
        for k in stride(from: 15.0, through: 3.0, by: -2.0) {
            series = 1.0 / k + s2 * series
        }
        return -t * t / (2 + t) + 2 * s * s2 * series
    }
}

/// Chi-square sampler with k > 0 (not necessarily integer) degrees of freedom:
/// χ²(k) = 2·Gamma(k/2, 1), drawn with ``GammaSampler`` (so k = 1 uses the
/// shape-0.5 boost, and very large k, e.g. 1e12, keeps full accuracy).
public enum ChiSquareSampler {
    /// Returns a χ²(k) variate (mean k, variance 2k).
    /// - Precondition: `k` is finite and > 0.
    @inlinable
    public static func next<G: RandomNumberGenerator>(degreesOfFreedom k: Double, using g: inout G) -> Double {
        precondition(k > 0 && k.isFinite, "degrees of freedom must be finite and positive")
        return 2 * GammaSampler.next(shape: 0.5 * k, using: &g)
    }
}
