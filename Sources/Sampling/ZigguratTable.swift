#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// One layer of the ziggurat: the fast-path data, packed into 16 bytes.
@usableFromInline
struct ZigguratLayer {
    /// Fast-acceptance threshold on the 53-bit integer `u`: `u < k` ⇔
    /// `u·2^-53 < x[i+1]/x[i]` (floor, so accepted points lie strictly inside
    /// the region under the density).
    @usableFromInline let k: UInt64
    /// Scale turning the 53-bit integer into an abscissa: `x[i]·2^-53`.
    @usableFromInline let w: Double

    @usableFromInline
    init(k: UInt64, w: Double) {
        self.k = k
        self.w = w
    }
}

/// Tables of the 256-layer ziggurat for the standard normal (Marsaglia & Tsang,
/// "The Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8),
/// 2000; layout with a virtual base width as in Doornik, "An Improved Ziggurat
/// Method to Generate Normal Random Samples", 2005).
///
/// With the unnormalised density f(x) = exp(−x²/2) on x ≥ 0, n = 256 layers of
/// equal area v are bounded by abscissae
///
///     x[0] = v / f(r)  (virtual width of the base layer),  x[1] = r,
///     f(x[i+1]) = f(x[i]) + v / x[i]     (i = 1 … 254),     x[256] = 0,
///
/// where v = r·f(r) + ∫_r^∞ f = r·f(r) + √(π/2)·erfc(r/√2) and r is the unique
/// value for which the top layer closes exactly: x[255]·(1 − f(x[255])) = v.
/// Layer i ≥ 1 is the box [0, x[i]] × [f(x[i]), f(x[i+1])]; layer 0 is the box
/// [0, r] × [0, f(r)] plus the tail x > r (same area as [r, x[0]] × [0, f(r)]).
///
/// Nothing is pasted: r is found at load time by bisection on that closure
/// condition (it reproduces the published r = 3.6541528853610088,
/// v = 0.00492867323399 to full precision) and the tables follow from the
/// recurrence.
@usableFromInline
final class ZigguratTable: @unchecked Sendable {
    // @unchecked: the buffers are written only in `init`, before the instance
    // is published through the thread-safe lazy `static let`, and never
    // mutated or freed afterwards (the instance lives for the whole process).

    /// Number of layers (indexed by the low 8 bits of a 64-bit draw).
    static let layerCount = 256

    /// Per-layer fast-path data, `layerCount` entries.
    @usableFromInline let layers: UnsafeMutablePointer<ZigguratLayer>
    /// f(x[i]) = exp(−x[i]²/2) for i = 0 … 256 (f(x[256]) = 1).
    @usableFromInline let f: UnsafeMutablePointer<Double>
    /// The abscissae x[0] … x[256] (kept for tests and diagnostics).
    let x: [Double]
    /// Start of the tail, x[1].
    @usableFromInline let r: Double
    /// Common layer area (unnormalised density).
    let v: Double

    /// The process-wide tables, computed once on first use.
    @usableFromInline static let shared = ZigguratTable()

    private init() {
        let n = Self.layerCount
        let r = Self.solveTailStart(layers: n)
        let v = Self.layerArea(r: r)
        var x = [Double](repeating: 0, count: n + 1)
        x[0] = v / Self.density(r)
        x[1] = r
        for i in 1 ..< (n - 1) {
            x[i + 1] = (-2 * log(Self.density(x[i]) + v / x[i])).squareRoot()
        }
        x[n] = 0

        let layers = UnsafeMutablePointer<ZigguratLayer>.allocate(capacity: n)
        for i in 0 ..< n {
            let ratio = x[i + 1] / x[i]
            // ratio < 1, so ratio·2^53 < 2^53 is exact in Double and floor is safe.
            let k = UInt64((ratio * 0x1.0p53).rounded(.down))
            layers.advanced(by: i).initialize(to: ZigguratLayer(k: k, w: x[i] * 0x1.0p-53))
        }
        let f = UnsafeMutablePointer<Double>.allocate(capacity: n + 1)
        for i in 0 ... n {
            f.advanced(by: i).initialize(to: Self.density(x[i]))
        }
        self.layers = layers
        self.f = f
        self.x = x
        self.r = r
        self.v = v
    }

    /// Unnormalised standard normal density exp(−x²/2).
    static func density(_ x: Double) -> Double {
        exp(-0.5 * x * x)
    }

    /// Area of each layer for tail start r: the base box r·f(r) plus the tail
    /// ∫_r^∞ exp(−t²/2) dt = √(π/2)·erfc(r/√2).
    static func layerArea(r: Double) -> Double {
        r * density(r) + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
    }

    /// Runs the recurrence upwards from r and reports how the top layer closes:
    /// a value ≥ 0 means the layers are too thick (they reach the mode early,
    /// so r is too small); < 0 means they are too thin (r too large).
    static func closure(r: Double, layers n: Int) -> Double {
        let v = layerArea(r: r)
        var xi = r
        for _ in 1 ..< (n - 1) {
            let y = density(xi) + v / xi
            if y >= 1 { return 1 }  // overshoot before the last layer
            xi = (-2 * log(y)).squareRoot()
        }
        return density(xi) + v / xi - 1
    }

    /// Bisection for the tail start r of an n-layer ziggurat.
    static func solveTailStart(layers n: Int) -> Double {
        var lo = 1.0  // too small for any n ≥ 8: overshoots
        var hi = 10.0  // too large: 256 layers never reach the mode
        precondition(closure(r: lo, layers: n) >= 0 && closure(r: hi, layers: n) < 0)
        while true {
            let mid = 0.5 * (lo + hi)
            if mid <= lo || mid >= hi { break }
            if closure(r: mid, layers: n) >= 0 { lo = mid } else { hi = mid }
        }
        // `hi` closes without overshoot; the top layer is then larger than v by
        // a relative amount of order 1e-16, far below any statistical effect.
        return hi
    }
}
