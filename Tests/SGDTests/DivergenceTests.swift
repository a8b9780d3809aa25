import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Testing

@Suite struct DivergenceTests {
    @Test func tooLargeALearningRateStopsWithAClearError() throws {
        var configuration = try smallConfiguration(d: 64, r: 4, rs: 3, batch: 16, lr: 5, steps: 200, seed: 1)
        configuration.saveSteps = [100]
        do {
            _ = try SGDSimulator<Double>(configuration: configuration).run()
            Issue.record("a learning rate of 5 with d/B = 4 must diverge")
        } catch {
            guard case .diverged(let step, _, _, let hint) = error else { Issue.record("wrong error \(error)"); return }
            #expect(step >= 1 && step <= 200)
            #expect(hint.contains("η·d/B = 20"))
            #expect(error.description.contains("step \(step)"))
        }
        // Negative control: a small learning rate runs through.
        configuration.learningRate = 1e-3
        #expect(throws: Never.self) { try SGDSimulator<Double>(configuration: configuration).run() }
    }

    @Test func invalidConfigurationsAreRejected() throws {
        let base = try smallConfiguration()
        var bad = base; bad.batchSize = 0
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: bad) }
        bad = base; bad.learningRate = .nan
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: bad) }
        bad = base; bad.dimension = 3
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: bad) }
        bad = base; bad.initialWeights = Matrix(rows: 1, columns: 1)
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: bad) }
        bad = base; bad.teacher = .given(Matrix(rows: 3, columns: 20, repeating: 1))
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: bad) }
        bad = base; bad.labelNoise = -1
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: bad) }
    }
}
