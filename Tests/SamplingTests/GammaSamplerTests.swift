import Foundation
import Testing
@testable import Sampling

/// Mean/variance check of a χ²(k) sample: mean k, variance 2k, fourth central
/// moment 12k² + 48k, so SE(mean) = √(2k/n), SE(var) = √((8k² + 48k)/n).
func chiSquareCheck(_ xs: [Double], k: Double) -> MomentCheck {
    // Centre on k before computing moments, to keep precision for large k.
    checkMeanVariance(
        xs.lazy.map { $0 - k }, mean: 0, variance: 2 * k, fourthCentralMoment: 12 * k * k + 48 * k, limit: 4)
}

/// Mean/variance check of a Gamma(a, 1) sample: mean a, variance a, fourth
/// central moment 3a² + 6a.
func gammaCheck(_ xs: [Double], shape a: Double) -> MomentCheck {
    checkMeanVariance(
        xs.lazy.map { $0 - a }, mean: 0, variance: a, fourthCentralMoment: 3 * a * a + 6 * a, limit: 4)
}

@Suite("Gamma and chi-square samplers")
struct GammaSamplerTests {
    @Test("χ²(k): mean k and variance 2k within 4 SE on 2e5 samples; 3%-scaled control fails",
          arguments: [1.0, 2.5, 7.0, 100.0, 1e6])
    func chiSquareMoments(k: Double) {
        let n = 200_000
        var g = Xoshiro256StarStar(seed: UInt64(k * 1000))
        let xs = draw(n) { ChiSquareSampler.next(degreesOfFreedom: k, using: &g) }
        let check = chiSquareCheck(xs, k: k)
        #expect(check.meanOK && check.varianceOK, "k = \(k): \(check)")
        #expect(xs.allSatisfy { $0 > 0 && $0.isFinite })
        // Negative control: the same draws scaled by 1.03 (mean z ≥ 9.5, var z ≥ 7).
        let control = chiSquareCheck(xs.map { 1.03 * $0 }, k: k)
        #expect(!control.meanOK && !control.varianceOK, "control k = \(k): \(control)")
    }

    @Test("Gamma(0.5): mean and variance 0.5 within 4 SE; forgetting the U^(1/a) boost fails")
    func gammaHalf() {
        let n = 200_000
        var g = Xoshiro256StarStar(seed: 5)
        let xs = draw(n) { GammaSampler.next(shape: 0.5, using: &g) }
        let check = gammaCheck(xs, shape: 0.5)
        #expect(check.meanOK && check.varianceOK, "\(check)")
        #expect(xs.allSatisfy { $0 > 0 && $0.isFinite })
        // Control: Gamma(a + 1) returned without the boost (mean 1.5).
        let unboosted = draw(n) { GammaSampler.marsagliaTsang(shape: 1.5, using: &g) }
        #expect(!gammaCheck(unboosted, shape: 0.5).meanOK)
        // Gamma(1) = Exp(1), Gamma(3.7) as further spot checks of the a ≥ 1 path.
        for a in [1.0, 3.7] {
            let ys = draw(n) { GammaSampler.next(shape: a, using: &g) }
            let c = gammaCheck(ys, shape: a)
            #expect(c.meanOK && c.varianceOK, "shape \(a): \(c)")
        }
    }

    @Test("χ²(1e12) and Gamma(1e15): standardised values have mean 0, variance 1, normal KS; controls fail")
    func hugeShapes() {
        let n = 100_000
        let k = 1e12
        var g = Xoshiro256StarStar(seed: 1_000_000_000_000)
        let scale = (2 * k).squareRoot()
        let z = draw(n) { (ChiSquareSampler.next(degreesOfFreedom: k, using: &g) - k) / scale }
        // Standardised χ²(k): variance 1, fourth central moment 3 + 12/k.
        let check = checkMeanVariance(z, mean: 0, variance: 1, fourthCentralMoment: 3 + 12 / k, limit: 4)
        #expect(check.meanOK && check.varianceOK, "\(check)")
        // Skewness √(8/k) = 2.8e-6 and excess kurtosis 12/k are invisible: KS vs Φ.
        let ks = normalKSPasses(z)
        #expect(ks.passes, "KS D = \(ks.d)")

        // Controls: a normal approximation with variance 2.2k fails the variance
        // (z ≈ 22); a sampler off by 1% in scale fails the mean enormously.
        let wide = draw(n) { (k + (2.2 * k).squareRoot() * NormalSampler.next(using: &g) - k) / scale }
        #expect(!checkMeanVariance(wide, mean: 0, variance: 1, fourthCentralMoment: 3, limit: 4).varianceOK)
        let biased = z.map { $0 + 0.01 * k / scale }
        #expect(!checkMeanVariance(biased, mean: 0, variance: 1, fourthCentralMoment: 3, limit: 4).meanOK)

        let a = 1e15
        let w = draw(n) { (GammaSampler.next(shape: a, using: &g) - a) / a.squareRoot() }
        let checkA = checkMeanVariance(w, mean: 0, variance: 1, fourthCentralMoment: 3 + 6 / a, limit: 4)
        #expect(checkA.meanOK && checkA.varianceOK, "shape 1e15: \(checkA)")
        #expect(normalKSPasses(w).passes)
    }

    @Test("log(1 + t) − t helper is accurate across its branch point")
    func log1pMinusX() {
        // Reference: the alternating series Σ (−1)^(j+1) t^j / j from j = 2,
        // summed in Double, exact enough for |t| ≤ 0.1.
        for t in [1e-12, -3e-9, 1e-5, -0.01, 0.0625, -0.0625, 0.0626, 0.1, -0.1] {
            var reference = 0.0
            var power = t
            for j in 2 ... 60 {
                power *= t
                reference += (j % 2 == 0 ? -1.0 : 1.0) * power / Double(j)
            }
            let value = GammaSampler.log1pMinusX(t)
            #expect(abs(value / reference - 1) < 1e-14, "t = \(t): \(value) vs \(reference)")
        }
        // The sampler's acceptance term equals the naive formula where the
        // latter is accurate (moderate t).
        let t = 0.3
        #expect(abs(GammaSampler.log1pMinusX(t) - (log1p(t) - t)) < 1e-16)
    }

    @Test("Same seed gives identical gamma and chi-square sequences")
    func reproducibility() {
        var a = Xoshiro256StarStar(seed: 9)
        var b = Xoshiro256StarStar(seed: 9)
        let xa = (0 ..< 1000).map { i in GammaSampler.next(shape: 0.5 + Double(i % 7), using: &a) }
        let xb = (0 ..< 1000).map { i in GammaSampler.next(shape: 0.5 + Double(i % 7), using: &b) }
        #expect(xa == xb)
        #expect(a == b)
        let ca = (0 ..< 100).map { _ in ChiSquareSampler.next(degreesOfFreedom: 1e12, using: &a) }
        let cb = (0 ..< 100).map { _ in ChiSquareSampler.next(degreesOfFreedom: 1e12, using: &b) }
        #expect(ca == cb)
    }
}
