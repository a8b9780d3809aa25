import Foundation
import Riccati

/// Least-squares fits on log-log axes.
public enum PowerLawFit {
    /// The slope of `log y` against `log x` over the points with `x` in `[lower, upper]`
    /// (ordinary least squares). Throws unless at least two points with positive `x` and `y`
    /// lie in the window.
    public static func slope(x: [Double], y: [Double], window: ClosedRange<Double>? = nil) throws(RiccatiError) -> Double {
        guard x.count == y.count else {
            throw .incompatibleParameters(names: ["x", "y"], reason: "a slope fit needs as many ordinates as abscissae, got \(x.count) and \(y.count)")
        }
        var xs: [Double] = [], ys: [Double] = []
        for (a, b) in zip(x, y) where a > 0 && b > 0 && a.isFinite && b.isFinite {
            if let window, !window.contains(a) { continue }
            xs.append(log(a)); ys.append(log(b))
        }
        guard xs.count >= 2 else {
            let within = window.map { " in the window [\($0.lowerBound), \($0.upperBound)]" } ?? ""
            throw .incompatibleParameters(names: window == nil ? ["x", "y"] : ["x", "y", "window"],
                                          reason: "a slope fit needs at least two points with finite positive x and y\(within), got \(xs.count)")
        }
        let meanX = xs.reduce(0, +) / Double(xs.count), meanY = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (a, b) in zip(xs, ys) { sxy += (a - meanX) * (b - meanY); sxx += (a - meanX) * (a - meanX) }
        guard sxx > 0 else {
            throw .invalidParameter(name: "x", value: "", reason: "must not be all equal among the fitted points (a slope fit needs two abscissae)")
        }
        return sxy / sxx
    }
}
