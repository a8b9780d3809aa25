import Foundation
import Testing
@testable import Sampling

/// All statistical checks of the normal sampler in one verdict: moments within
/// 4.5 SE, tail counts within 4 binomial SE, and (on the first 1e5 values) the
/// KS statistic below the 1% critical value.
struct NormalVerdict: CustomStringConvertible {
    let moments: MomentCheck
    let tails: TailCheck
    let ks: (passes: Bool, d: Double, critical: Double)
    var passes: Bool { moments.passes && tails.passes && ks.passes }
    var description: String {
        "\(moments); \(tails); KS D = \(ks.d) (critical \(ks.critical))"
    }

    init(_ xs: [Double], ksCount: Int = 100_000) {
        moments = checkStandardNormalMoments(xs)
        tails = checkNormalTails(xs)
        ks = normalKSPasses(Array(xs.prefix(ksCount)))
    }
}

/// A re-implementation of the ziggurat with deliberate, realistic bugs, to show
/// that the statistical checks detect them (negative controls).
enum BuggyZiggurat {
    enum Bug {
        /// Skip the exact wedge test: ≈0.67% of draws come from outside the density.
        case wedgeAlwaysAccepted
        /// Return r instead of sampling the tail: no values beyond 3.654.
        case tailClampedToR
        // Not listed: an exponential tail proposal without its rejection step
        // (shifts only ≈2.6e-4 of the mass; `tailSampler()` tests the tail
        // directly and catches it), and redrawing within the same layer after
        // a wedge rejection (a ≈0.1% distortion: excess-kurtosis z ≈ 3.6 at
        // 2e6 draws, below the power of these checks).
    }

    static func next(_ bug: Bug, using g: inout Xoshiro256StarStar) -> Double {
        let t = ZigguratTable.shared
        var bits = g.next()
        while true {
            let i = Int(bits & 0xFF)
            let layer = t.layers[i]
            let u = bits >> 11
            let x = Double(u) * layer.w
            let sign: Double = bits & 0x100 != 0 ? -1 : 1
            if u < layer.k { return sign * x }
            if i == 0 {
                if bug == .tailClampedToR { return sign * t.r }
                return sign * NormalSampler.tail(from: t.r, using: &g)
            }
            if bug == .wedgeAlwaysAccepted { return sign * x }
            let y = t.f[i] + g.nextUniform() * (t.f[i + 1] - t.f[i])
            if y < exp(-0.5 * x * x) { return sign * x }
            bits = g.next()
        }
    }
}

@Suite("Ziggurat normal sampler")
struct NormalSamplerTests {
    static let n = 2_000_000

    @Test("Tables computed at load reproduce the published 256-layer constants")
    func tables() {
        let t = ZigguratTable.shared
        // Marsaglia & Tsang (2000), 256 layers: r = 3.6541528853610088 and
        // v = 4.92867323399e-3 (12 significant digits). Solving the same
        // closure condition in 40-digit arithmetic (mpmath, during
        // development) gives r = 3.65415288536100877165, v = 0.00492867323397465535,
        // i.e. the published v is 1.5e-14 high in its last digit.
        #expect(abs(t.r - 3.654_152_885_361_008_8) < 2e-15, "r = \(t.r)")
        #expect(abs(t.r - 3.654_152_885_361_008_771_65) < 2e-15, "r = \(t.r)")
        #expect(abs(t.v - 4.928_673_233_99e-3) < 2e-14, "v = \(t.v)")
        #expect(abs(t.v - 4.928_673_233_974_655_35e-3) < 1e-17, "v = \(t.v)")
        // Every layer has area v; the top one closes at the mode f(0) = 1.
        #expect(abs(t.r * exp(-0.5 * t.r * t.r) + (Double.pi / 2).squareRoot() * erfc(t.r / 2.0.squareRoot()) - t.v) < 1e-17)
        for i in 1 ..< 256 {
            let area = t.x[i] * (t.f[i + 1] - t.f[i])
            #expect(abs(area / t.v - 1) < 1e-9, "layer \(i) area \(area)")
            #expect(t.x[i + 1] < t.x[i])
        }
        #expect(t.x[256] == 0 && t.f[256] == 1)
        #expect(abs(t.x[0] * exp(-0.5 * t.r * t.r) - t.v) < 1e-17)
    }

    @Test("2e6 normals: moments within 4.5 SE, tails within 4 binomial SE, KS on 1e5 below 1% critical value")
    func distribution() {
        var g = Xoshiro256StarStar(seed: 20_240_601)
        var xs = [Double](repeating: .nan, count: Self.n)
        xs.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &g) }
        let verdict = NormalVerdict(xs)
        #expect(verdict.moments.passes, "\(verdict.moments)")
        #expect(verdict.tails.passes, "\(verdict.tails)")
        #expect(verdict.ks.passes, "KS D = \(verdict.ks.d), critical \(verdict.ks.critical)")
        #expect(xs.allSatisfy { $0.isFinite })
    }

    @Test("Negative controls: wrong distributions fail the same checks")
    func negativeControls() {
        let n = Self.n
        var g = Xoshiro256StarStar(seed: 77)
        var z = [Double](repeating: 0, count: n)
        z.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &g) }

        // Variance 1.1: variance z ≈ +70, P(|Z|>3) inflated, KS D ≈ 0.011.
        let wide = NormalVerdict(z.map { $0 * 1.1.squareRoot() })
        #expect(!wide.moments.varianceOK && !wide.tails.passes && !wide.ks.passes, "\(wide)")
        #expect(!wide.passes)

        // Uniform scaled to unit variance: excess kurtosis −1.2, no tails, KS fails.
        let uniform = NormalVerdict(draw(n) { (g.nextUniform() * 2 - 1) * 3.0.squareRoot() })
        #expect(!uniform.moments.kurtosisOK && !uniform.tails.passes && !uniform.ks.passes, "\(uniform)")

        // Mean shifted by 0.01 (z ≈ 14).
        let shifted = checkStandardNormalMoments(z.map { $0 + 0.01 })
        #expect(!shifted.meanOK, "\(shifted)")

        // Skewed: Z + 0.02(Z² − 1), skewness ≈ 0.12 (z ≈ 69).
        let skewed = checkStandardNormalMoments(z.map { $0 + 0.02 * ($0 * $0 - 1) })
        #expect(!skewed.skewnessOK, "\(skewed)")

        // Truncated beyond the ziggurat's tail start (|Z| > r redrawn): P(Z>4) = 0.
        let rTail = ZigguratTable.shared.r
        let truncated = NormalVerdict(draw(n) {
            while true {
                let x = NormalSampler.next(using: &g)
                if abs(x) <= rTail { return x }
            }
        })
        #expect(!truncated.tails.passes, "\(truncated.tails)")
    }

    @Test("Negative controls: realistic ziggurat bugs are detected", arguments: [
        BuggyZiggurat.Bug.wedgeAlwaysAccepted, .tailClampedToR,
    ])
    func buggyZigguratsFail(_ bug: BuggyZiggurat.Bug) {
        var g = Xoshiro256StarStar(seed: 4242)
        let xs = draw(Self.n) { BuggyZiggurat.next(bug, using: &g) }
        let verdict = NormalVerdict(xs)
        #expect(!verdict.passes, "bug \(bug) went undetected: \(verdict)")
    }

    @Test("Tail sampler: KS against the exact conditional tail P(Z > y | Z > r); control fails")
    func tailSampler() {
        let r = ZigguratTable.shared.r
        let n = 100_000
        let tailMass = erfc(r / 2.0.squareRoot())
        let tailCDF: (Double) -> Double = { y in y <= r ? 0 : 1 - erfc(y / 2.0.squareRoot()) / tailMass }
        var g = Xoshiro256StarStar(seed: 11)
        let exact = draw(n) { NormalSampler.tail(from: r, using: &g) }
        let d = kolmogorovSmirnov(exact, cdf: tailCDF)
        #expect(d < ksCritical1Percent(n), "D = \(d)")
        #expect(exact.allSatisfy { $0 > r })

        // Control: the exponential proposal without the rejection step.
        let proposal = draw(n) { r - log(g.nextOpenUniform()) / r }
        let dControl = kolmogorovSmirnov(proposal, cdf: tailCDF)
        #expect(dControl > ksCritical1Percent(n), "control D = \(dControl)")
    }

    @Test("Float fill: moments within 4.5 SE on 1e6 samples; variance-1.1 control fails")
    func floatFill() {
        let n = 1_000_000
        var g = Xoshiro256StarStar(seed: 8)
        var fs = [Float](repeating: .nan, count: n)
        fs.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &g) }
        let check = checkStandardNormalMoments(fs.lazy.map { Double($0) })
        #expect(check.passes, "\(check)")
        let control = checkStandardNormalMoments(fs.lazy.map { Double($0) * 1.1.squareRoot() })
        #expect(!control.varianceOK, "\(control)")
    }

    @Test("fill and repeated next give identical values and end states")
    func fillMatchesNext() {
        var a = Xoshiro256StarStar(seed: 31_337)
        var b = a
        var c = a
        let n = 50_000  // includes ≈ 750 slow-path draws and ≈ 13 tail draws
        var filled = [Double](repeating: 0, count: n)
        filled.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &a) }
        let stepped = (0 ..< n).map { _ in NormalSampler.next(using: &b) }
        #expect(filled == stepped)
        #expect(a == b)
        var floats = [Float](repeating: 0, count: n)
        floats.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &c) }
        #expect(floats == stepped.map { Float($0) })
        #expect(c == b)
        #expect(filled.contains { abs($0) > ZigguratTable.shared.r })  // tail path exercised

        // Same seed, same normals; fill of an empty buffer consumes nothing.
        var d = Xoshiro256StarStar(seed: 31_337)
        let before = d
        var empty = [Double]()
        empty.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &d) }
        #expect(d == before)
        #expect((0 ..< n).map { _ in NormalSampler.next(using: &d) } == filled)
    }
}
