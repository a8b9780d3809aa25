import Foundation

// Statistical helpers for the sampler tests. Every check reports z-scores
// (deviation / standard error) so that tests can assert both that correct
// samplers pass and that deliberately wrong ones (negative controls) fail.

/// Sample moments and their z-scores against a hypothesised distribution.
struct MomentCheck: CustomStringConvertible {
    var mean = 0.0, variance = 0.0, skewness = 0.0, excessKurtosis = 0.0
    var zMean = 0.0, zVariance = 0.0, zSkewness = 0.0, zKurtosis = 0.0
    var limit = 4.5

    var meanOK: Bool { abs(zMean) < limit }
    var varianceOK: Bool { abs(zVariance) < limit }
    var skewnessOK: Bool { abs(zSkewness) < limit }
    var kurtosisOK: Bool { abs(zKurtosis) < limit }
    var passes: Bool { meanOK && varianceOK && skewnessOK && kurtosisOK }

    var description: String {
        String(
            format: "mean %.6g (z %.2f), var %.6g (z %.2f), skew %.4g (z %.2f), exkurt %.4g (z %.2f)",
            mean, zMean, variance, zVariance, skewness, zSkewness, excessKurtosis, zKurtosis)
    }
}

/// Central sample moments, computed in two passes around the sample mean.
func sampleMoments<C: Collection>(_ xs: C) -> (mean: Double, m2: Double, m3: Double, m4: Double)
where C.Element == Double {
    let n = Double(xs.count)
    var sum = 0.0
    for x in xs { sum += x }
    let mean = sum / n
    var m2 = 0.0, m3 = 0.0, m4 = 0.0
    for x in xs {
        let d = x - mean
        let d2 = d * d
        m2 += d2
        m3 += d2 * d
        m4 += d2 * d2
    }
    return (mean, m2 / n, m3 / n, m4 / n)
}

/// Moments of a sample hypothesised to be N(0, 1): standard errors 1/√n (mean),
/// √(2/n) (variance), √(6/n) (skewness), √(24/n) (excess kurtosis).
func checkStandardNormalMoments<C: Collection>(_ xs: C, limit: Double = 4.5) -> MomentCheck
where C.Element == Double {
    let n = Double(xs.count)
    let m = sampleMoments(xs)
    var c = MomentCheck()
    c.limit = limit
    c.mean = m.mean
    c.variance = m.m2
    c.skewness = m.m3 / pow(m.m2, 1.5)
    c.excessKurtosis = m.m4 / (m.m2 * m.m2) - 3
    c.zMean = c.mean / (1 / n).squareRoot()
    c.zVariance = (c.variance - 1) / (2 / n).squareRoot()
    c.zSkewness = c.skewness / (6 / n).squareRoot()
    c.zKurtosis = c.excessKurtosis / (24 / n).squareRoot()
    return c
}

/// Mean and variance of a sample hypothesised to have the given mean,
/// variance and fourth central moment μ₄: SE(mean) = √(σ²/n),
/// SE(sample variance) = √((μ₄ − σ⁴)/n). Skewness/kurtosis are not checked.
func checkMeanVariance<C: Collection>(
    _ xs: C, mean mu: Double, variance sigma2: Double, fourthCentralMoment mu4: Double,
    limit: Double = 4.0
) -> MomentCheck where C.Element == Double {
    let n = Double(xs.count)
    let m = sampleMoments(xs)
    var c = MomentCheck()
    c.limit = limit
    c.mean = m.mean
    c.variance = m.m2
    c.zMean = (m.mean - mu) / (sigma2 / n).squareRoot()
    c.zVariance = (m.m2 - sigma2) / ((mu4 - sigma2 * sigma2) / n).squareRoot()
    return c
}

/// z-score of an observed count against Binomial(n, p).
func binomialZ(count: Int, n: Int, p: Double) -> Double {
    let nd = Double(n)
    return (Double(count) - nd * p) / (nd * p * (1 - p)).squareRoot()
}

/// Standard normal CDF Φ(x) = erfc(−x/√2)/2 (Foundation/libm `erfc`).
func normalCDF(_ x: Double) -> Double {
    0.5 * erfc(-x / 2.0.squareRoot())
}

/// One-sample Kolmogorov–Smirnov statistic D_n = sup |F_n − F|.
func kolmogorovSmirnov(_ xs: [Double], cdf: (Double) -> Double) -> Double {
    let sorted = xs.sorted()
    let n = Double(sorted.count)
    var d = 0.0
    for (i, x) in sorted.enumerated() {
        let f = cdf(x)
        d = max(d, Double(i + 1) / n - f, f - Double(i) / n)
    }
    return d
}

/// Asymptotic 1% critical value of the KS statistic: 1.63/√n.
func ksCritical1Percent(_ n: Int) -> Double {
    1.63 / Double(n).squareRoot()
}

/// Tail-probability check of a sample hypothesised to be N(0, 1):
/// P(|Z| > 3) = erfc(3/√2) and P(Z > 4) = erfc(4/√2)/2, each within
/// `limit` binomial standard errors.
struct TailCheck: CustomStringConvertible {
    var countAbsAbove3 = 0, countAbove4 = 0, n = 0
    var zAbsAbove3 = 0.0, zAbove4 = 0.0
    var limit = 4.0
    var passes: Bool { abs(zAbsAbove3) < limit && abs(zAbove4) < limit }
    var description: String {
        "n \(n): #|Z|>3 = \(countAbsAbove3) (z \(zAbsAbove3)), #Z>4 = \(countAbove4) (z \(zAbove4))"
    }
}

func checkNormalTails(_ xs: [Double], limit: Double = 4.0) -> TailCheck {
    var c = TailCheck()
    c.n = xs.count
    c.limit = limit
    for x in xs {
        if abs(x) > 3 { c.countAbsAbove3 += 1 }
        if x > 4 { c.countAbove4 += 1 }
    }
    c.zAbsAbove3 = binomialZ(count: c.countAbsAbove3, n: xs.count, p: erfc(3 / 2.0.squareRoot()))
    c.zAbove4 = binomialZ(count: c.countAbove4, n: xs.count, p: 0.5 * erfc(4 / 2.0.squareRoot()))
    return c
}

/// KS test of a sample against Φ at the 1% level.
func normalKSPasses(_ xs: [Double]) -> (passes: Bool, d: Double, critical: Double) {
    let d = kolmogorovSmirnov(xs, cdf: normalCDF)
    let critical = ksCritical1Percent(xs.count)
    return (d < critical, d, critical)
}

/// Pearson sample correlation.
func correlation(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    let ma = a.reduce(0, +) / Double(a.count)
    let mb = b.reduce(0, +) / Double(b.count)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in a.indices {
        let da = a[i] - ma
        let db = b[i] - mb
        sab += da * db
        saa += da * da
        sbb += db * db
    }
    return sab / (saa * sbb).squareRoot()
}

/// Draws `n` values from `sample`.
func draw(_ n: Int, _ sample: () -> Double) -> [Double] {
    var xs = [Double]()
    xs.reserveCapacity(n)
    for _ in 0 ..< n { xs.append(sample()) }
    return xs
}
