import Foundation
import LinearAlgebra
@testable import SGD

/// The step gradient `(W − W′)/η` of many steps taken from one fixed `W` (each on a fresh batch):
/// per entry its mean over the draws and the standard error of that mean (from the sample variance).
struct StepGradientAverage {
    var mean: Matrix
    var standardError: Matrix

    init(_ simulator: SGDSimulator<Double>, from w0: Matrix, draws: Int) {
        let eta = simulator.configuration.learningRate
        var sum = Matrix(rows: w0.rows, columns: w0.columns), squares = sum
        var statistics = SGDStatistics()
        for _ in 0..<draws {
            simulator.setWeights(w0)
            simulator.advance(statistics: &statistics, clock: ContinuousClock())
            let g = (1 / eta) * (w0 - simulator.currentWeights)
            sum = sum + g
            for k in 0..<g.storage.count { squares.storage[k] += g.storage[k] * g.storage[k] }
        }
        mean = (1 / Double(draws)) * sum
        standardError = sum
        for k in 0..<sum.storage.count {
            let average = mean.storage[k]
            standardError.storage[k] = ((squares.storage[k] / Double(draws) - average * average) / Double(draws)).squareRoot()
        }
    }

    /// The largest `|mean − target| / standardError` over the entries.
    func worstZ(_ target: Matrix) -> Double {
        var worst = 0.0
        for k in 0..<mean.storage.count { worst = max(worst, abs(mean.storage[k] - target.storage[k]) / standardError.storage[k]) }
        return worst
    }
}
