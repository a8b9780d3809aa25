import Foundation
@testable import SGD

/// A Monte-Carlo estimate of `E[e(x)²]` for `x ~ N(0, I_d)`: the mean of `e²` over `samples`
/// Gaussian samples (drawn 1000 at a time from streams 500, 501, … of seed 99) and the standard
/// error of that mean from the sample variance of `e²`.
func monteCarloMeanSquare(samples: Int, dimension d: Int, _ residual: (ArraySlice<Double>) -> Double) -> (mean: Double, standardError: Double) {
    let source = GaussianBatchSource<Double>(rows: 1000, columns: d, seed: 99, firstStream: 500, threadCount: 2)
    var x = [Double](repeating: 0, count: 1000 * d)
    var sum = 0.0, squares = 0.0
    for _ in 0..<(samples / 1000) {
        x.withUnsafeMutableBufferPointer { source.fill($0.baseAddress!) }
        for b in 0..<1000 {
            let e = residual(x[(b * d)..<((b + 1) * d)])
            sum += e * e
            squares += e * e * e * e
        }
    }
    let mean = sum / Double(samples)
    return (mean, ((squares / Double(samples) - mean * mean) / Double(samples)).squareRoot())
}
