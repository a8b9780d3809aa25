import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Testing

@Suite struct ReproducibilityTests {
    /// With OpenBLAS on one thread (the documented setting; the simulator no longer sets it),
    /// one and two simulator threads give the same bits.
    @Test func sameSeedSameBitsWithOneOrTwoThreads() throws {
        BLAS.setThreadCount(1)
        var configuration = try smallConfiguration(d: 64, r: 4, rs: 3, batch: 128, lr: 0.01, steps: 30, seed: 7)
        configuration.threads = 1
        let one = try SGDSimulator<Double>(configuration: configuration)
        _ = try one.run()
        configuration.threads = 2
        let two = try SGDSimulator<Double>(configuration: configuration)
        _ = try two.run()
        #expect(one.currentWeights.storage == two.currentWeights.storage)
        configuration.seed = 8
        let other = try SGDSimulator<Double>(configuration: configuration)
        _ = try other.run()
        #expect(other.currentWeights.storage != two.currentWeights.storage)
    }

    @Test func batchBlocksDoNotDependOnTheThreadCount() {
        var outputs: [[Double]] = []
        for threads in [1, 2, 3] {
            let source = GaussianBatchSource<Double>(rows: 100, columns: 7, seed: 11, firstStream: 16, threadCount: threads)
            var x = [Double](repeating: 0, count: 700)
            x.withUnsafeMutableBufferPointer { source.fill($0.baseAddress!) }
            x.withUnsafeMutableBufferPointer { source.fill($0.baseAddress!) }
            outputs.append(x)
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
        // Different blocks are different streams.
        #expect(Array(outputs[0][0..<7]) != Array(outputs[0][(16 * 7)..<(17 * 7)]))
    }

    @Test func floatAndDoubleAgreeToFloatAccuracy() throws {
        let configuration = try smallConfiguration(d: 64, r: 4, rs: 3, batch: 128, lr: 0.005, steps: 20, seed: 2)
        let double = try SGDSimulator<Double>(configuration: configuration)
        let doubleResult = try double.run()
        let float = try SGDSimulator<Float>(configuration: configuration)
        let floatResult = try float.run()
        let difference = (double.currentWeights - float.currentWeights).maxAbs / double.currentWeights.maxAbs
        #expect(difference < 1e-4, "relative difference \(difference)")
        #expect(difference > 1e-9)   // they are really different arithmetics
        #expect(abs(doubleResult.risk.last! - floatResult.risk.last!) < 1e-4 * doubleResult.risk.last!)
    }
}
