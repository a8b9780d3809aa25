import LinearAlgebra
import Riccati
import SGD
import Testing

@Suite struct MemoryEstimateTests {
    /// The estimate against the buffer sizes counted by hand for `d = 20`, `r = 3`, `r_s = 2`, `B = 64`.
    @Test func estimateCountsTheBuffers() throws {
        var configuration = try smallConfiguration()
        configuration.saveSteps = [1, 1]
        // W, X, Z in the run's precision: 2·20 + 64·20 + 64·2 = 1448; doubles: 64 noise draws + W0 (40).
        let double = configuration.memoryEstimate()
        let scalars: Double = 1448, doubles: Double = 104
        #expect(double.workingBytes == scalars * 8 + doubles * 8)
        let float = configuration.memoryEstimate(precision: Float.self)
        #expect(float.workingBytes == scalars * 4 + doubles * 8)
        // Per record: step, time, M (6), P (4), risk, learned, 3 alignments of 16 bytes, 2 eigenvalues of K.
        let doublesPerRecord: Double = 2 + 6 + 4 + 2 + 6 + 2
        #expect(double.bytesPerRecord == doublesPerRecord * 8)
        #expect(double.recordCount == 4 && double.recordedBytes == 4 * 176)
        // A rotated teacher adds U (B×r) and Θ (r×d) in the run's precision and Θ in double.
        configuration.teacher = .random
        let rotatedScalars: Double = 1448 + 64 * 3 + 3 * 20, rotatedDoubles: Double = 104 + 60
        #expect(configuration.memoryEstimate().workingBytes == rotatedScalars * 8 + rotatedDoubles * 8)
        // The run records no more than the estimate counts.
        configuration.steps = 3
        let result = try SGDSimulator<Double>(configuration: configuration).run()
        #expect(result.states.count <= configuration.memoryEstimate().recordCount)
    }

    /// A recorded series over 2 GiB is refused before any allocation; just under it is accepted.
    @Test func recordedSeriesOverTwoGiBIsRefused() throws {
        var configuration = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 3), dimension: 100_000,
                                             studentWidth: 2000, batchSize: 1, learningRate: 1e-3, steps: 1000)
        configuration.saveSteps = Array(1...100)          // 102 records of 4.0e6 + 6e3 + … doubles: 3.3 GB
        let estimate = configuration.memoryEstimate()
        #expect(estimate.recordedBytes > SGDConfiguration.maximumRecordedBytes)
        do {
            try configuration.validate()
            Issue.record("3.3 GB of records must be refused")
        } catch {
            guard case .exceedsLimit(let names, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(names == ["saveSteps", "studentWidth"])
            #expect(reason.contains("102 recorded states"))
        }
        configuration.saveSteps = Array(1...50)           // 52 records: 1.7 GB
        #expect(configuration.memoryEstimate().recordedBytes < SGDConfiguration.maximumRecordedBytes)
        #expect(throws: Never.self) { try configuration.validate() }
        // A comparison with the ODE keeps the ODE's series as well: twice as much, refused before the run.
        #expect(ODEComparison.recordedBytes(for: configuration) == 2 * configuration.memoryEstimate().recordedBytes)
        do {
            _ = try ODEComparison.run(configuration, precision: Float.self)
            Issue.record("3.3 GB of SGD and ODE records must be refused")
        } catch {
            guard case .exceedsLimit(let names, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(names == ["saveSteps", "studentWidth"])
        }
        configuration.saveSteps = Array(1...20)           // 2 × 22 records: 1.4 GB
        #expect(ODEComparison.recordedBytes(for: configuration) < SGDConfiguration.maximumRecordedBytes)
    }
}
