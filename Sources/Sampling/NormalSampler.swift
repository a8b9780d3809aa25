#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Standard normal N(0, 1) sampler: the 256-layer ziggurat method of
/// Marsaglia & Tsang ("The Ziggurat Method for Generating Random Variables",
/// J. Stat. Softw. 5(8), 2000), in the one-draw form popularised by Doornik
/// (2005) and McFarland (2016): a single 64-bit draw supplies the layer (bits
/// 0–7), the sign (bit 8) and a 53-bit abscissa (bits 11–63).
///
/// The sampler is exact up to floating-point resolution:
/// - about 98.5% of draws are accepted by one table look-up and compare
///   (the rejection rate overall is 1 − √(π/2)/(256·v) ≈ 0.67%);
/// - draws in a layer's wedge get the exact test y < exp(−x²/2) with a fresh
///   uniform height, and are otherwise rejected and restarted from scratch;
/// - draws in the base layer beyond r ≈ 3.654 are replaced by an exact sample
///   from the tail x > r (Marsaglia's 1964 method, as in the 2000 paper).
///
/// Tables are computed once per process from the published recurrence
/// (see `ZigguratTable`). All functions are deterministic functions of the
/// generator's output, so results are reproducible from a generator state:
/// `fill` produces exactly the values of repeated `next` calls.
public struct NormalSampler: Sendable {
    /// Returns one standard normal variate, consuming one 64-bit output of `g`
    /// about 98.5% of the time (a few more otherwise).
    @inlinable
    public static func next<G: RandomNumberGenerator>(using g: inout G) -> Double {
        let layers = ZigguratTable.shared.layers
        let bits = g.next()
        let layer = layers[Int(truncatingIfNeeded: bits & 0xFF)]
        let u = bits &>> 11
        if u < layer.k {
            return withSign(Double(Int64(bitPattern: u)) * layer.w, of: bits)
        }
        return slowPath(bits, using: &g)
    }

    /// Fills `buffer` with independent standard normals (the hot path: no
    /// allocation, one table load per value in the common case). The values
    /// are exactly those that `buffer.count` successive calls of
    /// ``next(using:)`` would return from the same generator state, and the
    /// generator ends in the same state.
    @inlinable
    public static func fill<G: RandomNumberGenerator>(
        _ buffer: UnsafeMutableBufferPointer<Double>, using g: inout G
    ) {
        guard let out = buffer.baseAddress else { return }
        let layers = ZigguratTable.shared.layers
        // Work on a local copy whose address is never taken, so the generator
        // state stays in registers; `g` is synchronised only around the rare
        // slow path and at the end.
        var local = g
        for i in 0 ..< buffer.count {
            let bits = local.next()
            let layer = layers[Int(truncatingIfNeeded: bits & 0xFF)]
            let u = bits &>> 11
            if u < layer.k {
                out[i] = withSign(Double(Int64(bitPattern: u)) * layer.w, of: bits)
            } else {
                g = local
                out[i] = slowPath(bits, using: &g)
                local = g
            }
        }
        g = local
    }

    /// Fills `buffer` with independent standard normals in single precision:
    /// element i is `Float(next(using: &g))` for successive calls, so the
    /// stream is the same as the `Double` variant's, rounded.
    @inlinable
    public static func fill<G: RandomNumberGenerator>(
        _ buffer: UnsafeMutableBufferPointer<Float>, using g: inout G
    ) {
        guard let out = buffer.baseAddress else { return }
        let layers = ZigguratTable.shared.layers
        var local = g  // see the Double variant
        for i in 0 ..< buffer.count {
            let bits = local.next()
            let layer = layers[Int(truncatingIfNeeded: bits & 0xFF)]
            let u = bits &>> 11
            let value: Double
            if u < layer.k {
                value = withSign(Double(Int64(bitPattern: u)) * layer.w, of: bits)
            } else {
                g = local
                value = slowPath(bits, using: &g)
                local = g
            }
            out[i] = Float(value)
        }
        g = local
    }

    /// Copies bit 8 of the draw into the sign bit of the non-negative `x`.
    @inlinable @inline(__always)
    static func withSign(_ x: Double, of bits: UInt64) -> Double {
        Double(bitPattern: x.bitPattern | ((bits & 0x100) &<< 55))
    }

    /// Everything except the fast acceptance: the wedge test, the tail, and
    /// restarts after rejection. Kept out of line so the fast loop stays small;
    /// inlinable so it is still specialised for the caller's generator.
    @inlinable @inline(never)
    static func slowPath<G: RandomNumberGenerator>(_ firstBits: UInt64, using g: inout G) -> Double {
        let table = ZigguratTable.shared
        var bits = firstBits
        while true {
            let i = Int(truncatingIfNeeded: bits & 0xFF)
            let layer = table.layers[i]
            let u = bits &>> 11
            let x = Double(Int64(bitPattern: u)) * layer.w
            if u < layer.k {
                return withSign(x, of: bits)  // only reached after a restart
            }
            if i == 0 {
                return withSign(tail(from: table.r, using: &g), of: bits)
            }
            // Wedge of layer i: (x, y) uniform in [0, x[i]] × [f(x[i]), f(x[i+1])].
            let f0 = table.f[i]
            let f1 = table.f[i + 1]
            let y = f0 + UniformBits.closedOpen(g.next()) * (f1 - f0)
            if y < exp(-0.5 * x * x) {
                return withSign(x, of: bits)
            }
            bits = g.next()
        }
    }

    /// Exact sample of the standard normal conditioned on X > r (Marsaglia,
    /// "Generating a variable from the tail of the normal distribution",
    /// Technometrics 6, 1964): with E₁, E₂ independent Exp(1), propose
    /// x = E₁ / r and accept when 2·E₂ > x²; then r + x has density
    /// ∝ exp(−(r + x)²/2) on x > 0.
    @inlinable
    static func tail<G: RandomNumberGenerator>(from r: Double, using g: inout G) -> Double {
        while true {
            let x = -log(UniformBits.open(g.next())) / r
            let e = -log(UniformBits.open(g.next()))
            if e + e > x * x {
                return r + x
            }
        }
    }
}
