import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Testing

@Suite struct GradientTests {
    /// The step's gradient `(W_k − W_{k+1})/η` against central differences of the mini-batch loss
    /// `(1/B) Σ ½ e_b²` on the very batch the step drew.
    @Test func stepGradientMatchesFiniteDifferences() throws {
        let configuration = try smallConfiguration()
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        let w0 = simulator.currentWeights
        // The same batch, drawn from the same block streams.
        let source = GaussianBatchSource<Double>(rows: configuration.batchSize, columns: configuration.dimension,
                                                 seed: configuration.seed, firstStream: 16, threadCount: 1)
        var x = [Double](repeating: 0, count: configuration.batchSize * configuration.dimension)
        x.withUnsafeMutableBufferPointer { source.fill($0.baseAddress!) }
        var statistics = SGDStatistics()
        simulator.advance(statistics: &statistics, clock: ContinuousClock())
        let stepGradient = (1 / configuration.learningRate) * (w0 - simulator.currentWeights)
        let a = canonicalTeacherMatrix(configuration.spectrum, dimension: configuration.dimension)
        func loss(_ w: Matrix) -> Double {
            var sum = 0.0
            for b in 0..<configuration.batchSize {
                let sample = Array(x[(b * configuration.dimension)..<((b + 1) * configuration.dimension)])
                let e = residual(w, sample, teacher: a)
                sum += 0.5 * e * e
            }
            return sum / Double(configuration.batchSize)
        }
        var worst = 0.0
        let h = 1e-6
        for i in 0..<w0.rows {
            for c in 0..<w0.columns {
                var plus = w0, minus = w0
                plus[i, c] += h
                minus[i, c] -= h
                let finiteDifference = (loss(plus) - loss(minus)) / (2 * h)
                worst = max(worst, abs(finiteDifference - stepGradient[i, c]) / max(1e-3, stepGradient.maxAbs))
            }
        }
        #expect(worst < 1e-6, "relative gradient error \(worst)")
    }

    /// Many step gradients at one fixed `W` average to `4W(WᵀW − A)`, within 4.5 standard errors
    /// (per entry, from the measured variance); a gradient off by 10 % fails.
    @Test func averagedStepGradientIsThePopulationGradient() throws {
        let configuration = try smallConfiguration(d: 12, r: 3, rs: 2, batch: 256, lr: 1e-3, steps: 1, seed: 3)
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        let w0 = simulator.currentWeights
        let a = canonicalTeacherMatrix(configuration.spectrum, dimension: configuration.dimension)
        let population = 4 * (try BLAS.product(w0, BLAS.gram(w0, transpose: true) - a))
        let worstZ = StepGradientAverage(simulator, from: w0, draws: 3000).worstZ
        #expect(worstZ(population) < 4.5, "max z-score \(worstZ(population))")
        // Negative control: a wrong factor (4.4 instead of 4) is far outside the band.
        #expect(worstZ(1.1 * population) > 6)
    }

    /// The closed-form risk against a Monte-Carlo estimate of E[(f_W − f*)²] on 1e5 samples.
    @Test func closedFormRiskMatchesMonteCarlo() throws {
        let configuration = try smallConfiguration(d: 10, r: 3, rs: 2, seed: 5)
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        let w = simulator.currentWeights
        let closedForm = try simulator.overlapState().observables(spectrum: configuration.spectrum).risk
        let a = canonicalTeacherMatrix(configuration.spectrum, dimension: configuration.dimension)
        let (mean, standardError) = monteCarloMeanSquare(samples: 100_000, dimension: 10) { residual(w, Array($0), teacher: a) }
        #expect(abs(mean - closedForm) < 4 * standardError, "MC \(mean) ± \(standardError) vs closed form \(closedForm)")
        // Negative control: MODEL.md's risk without its factor 2 is far off.
        #expect(abs(mean - closedForm / 2) > 10 * standardError)
    }
}
